package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/logout"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// TestAuthenticatorsCommand lists and deletes a person's authenticators
// in a private OpenLDAP, one by id and then all; another person's stay.
func TestAuthenticatorsCommand(t *testing.T) {
	slapd := ldaptest.New(t, ldaptest.Options{})
	base := ldaptest.Subtree(t, slapd.Conn(t), slapd.BaseDN)
	dir := t.TempDir()
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword+"\n")
	config := writeFile(t, dir, "gatehouse.yaml", fmt.Sprintf(`issuer: %s
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
  authenticators: {baseDN: "%s"}
`, testIssuer, dir, slapd.URL, slapd.AdminDN, pwFile, base))
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{slapd.URL}, BindDN: slapd.AdminDN,
		BindPassword: slapd.AdminPassword, Timeout: 10 * time.Second, Size: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store, err := ldapstore.NewAuthenticators(pool, base)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	for _, a := range []oauth.Authenticator{
		{ID: "app1", Subject: "müller", Kind: oauth.AuthenticatorTOTP, Name: "Phone", Secret: "x", Created: now},
		{ID: "codes1", Subject: "müller", Kind: oauth.AuthenticatorRecovery, Name: "Recovery codes", RecoveryCodes: []string{"h1", "h2"}, Created: now},
		{ID: "other1", Subject: "a*b", Kind: oauth.AuthenticatorTOTP, Name: "Other", Secret: "y", Created: now},
	} {
		if _, err := store.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) result {
		t.Helper()
		return runCmd(t, append(append([]string{"authenticators"}, args...), "--config", config)...)
	}

	r := run("list", "--sub", "müller")
	if r.code != exitOK || !strings.Contains(r.stdout, "app1\ttotp\tPhone\t") || !strings.Contains(r.stdout, "codes1\trecovery\t2 codes left\t") ||
		strings.Contains(r.stdout, "other1") {
		t.Fatalf("list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run("delete", "--sub", "müller", "--id", "nope"); r.code != exitFailure {
		t.Errorf("delete of an unknown id: %d %q", r.code, r.stderr)
	}
	if r := run("delete", "--sub", "müller", "--id", "app1"); r.code != exitOK || r.stdout != "deleted app1\ttotp\n" {
		t.Errorf("delete one: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run("delete", "--sub", "müller"); r.code != exitOK || r.stdout != "deleted codes1\trecovery\n" {
		t.Errorf("delete all: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if list, err := store.List(ctx, "müller"); err != nil || len(list) != 0 {
		t.Errorf("left for müller: %v %v", list, err)
	}
	if list, err := store.List(ctx, "a*b"); err != nil || len(list) != 1 {
		t.Errorf("the other person's: %v %v, want theirs kept", list, err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no sub", []string{"list"}},
		{"unknown subcommand", []string{"show", "--sub", "x"}},
		{"id with list", []string{"list", "--sub", "x", "--id", "y"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := run(tc.args...); r.code != exitUsage || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("%v: %d %q, want exit 2 and one line", tc.args, r.code, r.stderr)
			}
		})
	}
}

// TestSessionsEndCommand ends every session of a person in a private
// Redis and queues a back-channel logout job for each client of theirs;
// another person's session stays. With in-memory sessions it refuses.
func TestSessionsEndCommand(t *testing.T) {
	rds := redistest.New(t, redistest.Options{})
	dir := t.TempDir()
	config := writeFile(t, dir, "gatehouse.yaml", fmt.Sprintf(`issuer: %s
keys: {file: %s/jwks.json}
sessions: {store: redis, redis: {addrs: [%q], keyPrefix: "t:"}}
`, testIssuer, dir, rds.Addr))
	kv, err := session.DialRedisOptions(session.RedisOptions{Addrs: []string{rds.Addr}, KeyPrefix: "t:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	ss := session.NewSessions(kv, 0, 0, nil)
	ctx := context.Background()
	mine, err := ss.Create(ctx, session.Session{Subject: "alice", Clients: []string{"rp1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ss.Create(ctx, session.Session{Subject: "alice"}); err != nil {
		t.Fatal(err)
	}
	bobs, err := ss.Create(ctx, session.Session{Subject: "bob", Clients: []string{"rp1"}})
	if err != nil {
		t.Fatal(err)
	}

	r := runCmd(t, "sessions", "end", "--sub", "alice", "--config", config)
	if r.code != exitOK || strings.Count(r.stdout, "ended ") != 2 {
		t.Fatalf("sessions end: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if _, err := ss.Get(ctx, mine.ID); err == nil {
		t.Error("alice's session survived")
	}
	if _, err := ss.Get(ctx, bobs.ID); err != nil {
		t.Errorf("bob's session: %v", err)
	}
	job, err := logout.NewRedis(kv.Client(), kv.Prefix(), nil).Take(ctx, time.Minute)
	if err != nil || job.ClientID != "rp1" || job.Subject != "alice" || job.SID != mine.SID {
		t.Errorf("queued logout job %+v, %v; want rp1 for alice's session %s", job, err, mine.SID)
	}

	memory := writeFile(t, dir, "memory.yaml", fmt.Sprintf("issuer: %s\nkeys: {file: %s/jwks.json}\n", testIssuer, dir))
	if r := runCmd(t, "sessions", "end", "--sub", "alice", "--config", memory); r.code != exitUsage || !strings.Contains(r.stderr, "sessions.store") {
		t.Errorf("with memory sessions: %d %q", r.code, r.stderr)
	}
}
