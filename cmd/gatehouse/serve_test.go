package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"

	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/internal/sdnotify"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// server is a gatehouse serve running in-process for one test.
type server struct {
	base    string
	ldapURL string
	log     *logWatch
	done    chan int
	cancel  context.CancelFunc
}

// startServe runs `gatehouse serve` with the given configuration and waits
// until it listens.
//
// Unless the configuration says otherwise, the drain on stop is cut to a
// millisecond: tests stop many servers, and nothing balances their load.
func startServe(t *testing.T, config string) *server {
	t.Helper()
	if !strings.Contains(config, "\nhttp:") {
		config += "\nhttp: {drainPeriod: 1ms}\n"
	}
	path := writeFile(t, t.TempDir(), "gatehouse.yaml", config)
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{log: &logWatch{}, done: make(chan int, 1), cancel: cancel}
	addrs := make(chan [2]string, 1)
	a := &app{stdout: io.Discard, stderr: s.log, getenv: func(string) string { return "" },
		onServing: func(httpAddr, ldapURL string) { addrs <- [2]string{httpAddr, ldapURL} }}
	go func() { s.done <- a.run(ctx, []string{"serve", "--config", path}) }()
	t.Cleanup(func() { s.stop(t) })
	select {
	case got := <-addrs:
		s.base, s.ldapURL = "http://"+got[0], got[1]
	case code := <-s.done:
		s.done <- code
		t.Fatalf("serve exited with %d before listening; log:\n%s", code, s.log.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not start; log:\n%s", s.log.String())
	}
	return s
}

// stop cancels the server as SIGTERM would and returns its exit code.
func (s *server) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
		return -1
	}
}

func (s *server) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func embeddedConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	seed, err := filepath.Abs("../../conf/dev-directory.ldif")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  embedded: {seed: %s, data: %s/directory.ldif, listen: "127.0.0.1:0"}
`, dir, seed, dir)
}

func TestServeWithEmbeddedDirectory(t *testing.T) {
	s := startServe(t, embeddedConfig(t))

	status, body := s.get(t, "/.well-known/openid-configuration")
	var doc map[string]any
	if status != http.StatusOK || json.Unmarshal([]byte(body), &doc) != nil || doc["issuer"] != "http://127.0.0.1:8080" {
		t.Fatalf("discovery: %d %s", status, body)
	}
	if status, body := s.get(t, "/health/ready"); status != http.StatusOK {
		t.Errorf("ready: %d %s", status, body)
	}

	// The embedded directory is a real LDAP server on loopback.
	conn, err := ldap.DialURL(s.ldapURL)
	if err != nil {
		t.Fatal(err)
	}
	res, err := conn.Search(ldap.NewSearchRequest("ou=people,dc=example,dc=org", ldap.ScopeSingleLevel,
		ldap.NeverDerefAliases, 0, 0, false, "(uid=alice)", []string{"mail"}, nil))
	if err != nil || len(res.Entries) != 1 || res.Entries[0].GetAttributeValue("mail") != "alice@example.org" {
		t.Fatalf("search alice: %v %+v", err, res)
	}
	if err := conn.Bind(res.Entries[0].DN, "alice-password"); err != nil {
		t.Errorf("alice's bind: %v", err)
	}
	conn.Close()

	if code := s.stop(t); code != exitOK {
		t.Errorf("exit code after SIGTERM = %d; log:\n%s", code, s.log.String())
	}
	if !strings.Contains(s.log.String(), "stopped") {
		t.Errorf("log does not report a clean stop:\n%s", s.log.String())
	}
}

func TestServeWithOpenLDAP(t *testing.T) {
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	pwFile := writeFile(t, t.TempDir(), "ldap-password", slapd.AdminPassword+"\n")
	s := startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
`, t.TempDir(), slapd.URL, slapd.AdminDN, pwFile))

	if status, body := s.get(t, "/health/ready"); status != http.StatusOK {
		t.Errorf("ready against OpenLDAP: %d %s", status, body)
	}
	if status, _ := s.get(t, "/jwks.json"); status != http.StatusOK {
		t.Errorf("jwks: %d", status)
	}
	s.log.waitFor(t, "directory reachable")
}

func TestServeWithUnreachableDirectory(t *testing.T) {
	closed := closedPort(t)
	s := startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [ldap://%s]
  bindDN: cn=admin,dc=example,dc=org
  bindPasswordEnv: PATH
  timeout: 1s
`, t.TempDir(), closed))

	if status, body := s.get(t, "/health/live"); status != http.StatusOK {
		t.Errorf("live: %d %s", status, body)
	}
	status, body := s.get(t, "/health/ready")
	if status != http.StatusServiceUnavailable || strings.Contains(body, closed) {
		t.Errorf("ready with the directory down: %d %s", status, body)
	}
	s.log.waitFor(t, "directory unreachable; retrying")
}

func TestServePortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	config := strings.Replace(embeddedConfig(t), "listen: 127.0.0.1:0", "listen: "+taken.Addr().String(), 1)
	path := writeFile(t, t.TempDir(), "gatehouse.yaml", config)
	r := runCmd(t, "serve", "--config", path)
	if r.code != exitFailure || !strings.Contains(r.stderr, "already in use") {
		t.Errorf("port in use: code %d, stderr %q", r.code, r.stderr)
	}
}

func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := &logWatch{}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serveUntilDone(ctx, srv, ln, noDrain{}, conf.HTTP{ShutdownGrace: 10 * time.Second}, sdnotify.Notifier{}, newTestLogger(log))
	}()

	type reply struct {
		body string
		err  error
	}
	replies := make(chan reply, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			replies <- reply{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		replies <- reply{body: string(b), err: err}
	}()

	<-entered
	cancel()
	log.waitFor(t, "shutting down")
	waitUntilRefused(t, ln.Addr().String()) // Shutdown has closed the listener
	close(release)

	if r := <-replies; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request: %q, %v", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Errorf("serveUntilDone: %v", err)
	}
}

type noDrain struct{}

func (noDrain) Drain() {}

// waitUntilRefused polls until the address stops accepting connections.
func waitUntilRefused(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
		runtime.Gosched()
	}
	t.Fatalf("%s still accepts connections", addr)
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestServeStopsWithoutItsSessionStore(t *testing.T) {
	base := embeddedConfig(t)
	tests := []struct {
		name, extra, want string
		code              int
	}{
		{name: "redis not answering", extra: "sessions: {store: redis, redis: {addrs: [\"127.0.0.1:1\"]}}\n", want: "sessions.redis:", code: exitFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "gatehouse.yaml", base+tc.extra)
			r := runCmd(t, "serve", "--config", path)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("code %d, stderr %q; want %d and %q", r.code, r.stderr, tc.code, tc.want)
			}
		})
	}
}
