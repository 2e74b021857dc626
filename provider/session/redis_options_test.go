package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/session/sessiontest"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

func dial(t *testing.T, o session.RedisOptions) *session.Redis {
	t.Helper()
	kv, err := session.DialRedisOptions(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	return kv
}

// fill writes an ordinary, an added and an evictable entry, as sign-in does.
func fill(t *testing.T, kv *session.Redis, value string) {
	t.Helper()
	ctx := context.Background()
	if err := kv.Put(ctx, "session", []byte(value), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := kv.Add(ctx, "jti", []byte(value), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := kv.PutEvictable(ctx, "198.51.100.7", "flow", []byte(value), time.Minute); err != nil {
		t.Fatal(err)
	}
}

// scanAll lists every key of the server.
func scanAll(t *testing.T, raw *redis.Client) []string {
	t.Helper()
	var all []string
	iter := raw.Scan(context.Background(), 0, "*", 100).Iterator()
	for iter.Next(context.Background()) {
		all = append(all, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return all
}

// TestRedisKeyPrefixShared: two deployments with their own prefixes share
// one server without seeing each other's entries, and every key either
// writes, the pending-flow sets included, begins with its prefix.
func TestRedisKeyPrefixShared(t *testing.T) {
	ctx := context.Background()
	srv := redistest.New(t, redistest.Options{})
	a := dial(t, session.RedisOptions{Addrs: []string{srv.Addr}, KeyPrefix: "tenant-a:"})
	b := dial(t, session.RedisOptions{Addrs: []string{srv.Addr}, KeyPrefix: "tenant-b:"})
	fill(t, a, "a")
	if _, err := b.Get(ctx, "session"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("b sees a's session: %v", err)
	}
	fill(t, b, "b") // its Add is not refused because of a's entry
	for _, kv := range []*session.Redis{a, b} {
		if st, err := kv.Stats(ctx); err != nil || st.Pending != 1 {
			t.Fatalf("Stats = %+v, %v; want 1 pending flow each", st, err)
		}
	}
	if v, err := a.Get(ctx, "session"); err != nil || string(v) != "a" {
		t.Fatalf("a's session = %q, %v", v, err)
	}
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = raw.Close() })
	keys := scanAll(t, raw)
	counts := map[string]int{}
	for _, k := range keys {
		p, _, _ := strings.Cut(k, ":")
		counts[p+":"]++
	}
	// session, jti, flow, and the two pending-flow sets, for each.
	if len(keys) != 10 || counts["tenant-a:"] != 5 || counts["tenant-b:"] != 5 {
		t.Fatalf("keys on the server: %q; want 5 under each prefix", keys)
	}
}

func TestDialRedisDefaultPrefix(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	kv := dial(t, session.RedisOptions{Addrs: []string{srv.Addr}})
	fill(t, kv, "v")
	raw := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = raw.Close() })
	for _, k := range scanAll(t, raw) {
		if !strings.HasPrefix(k, session.DefaultRedisPrefix) {
			t.Errorf("key %q lacks the default prefix %q", k, session.DefaultRedisPrefix)
		}
	}
}

func TestDialRedisACLUser(t *testing.T) {
	srv := redistest.New(t, redistest.Options{User: "gatehouse", Password: "acl-pw"})
	kv := dial(t, session.RedisOptions{Addrs: []string{srv.Addr}, Username: "gatehouse", Password: "acl-pw"})
	fill(t, kv, "v")
	for _, o := range []session.RedisOptions{
		{Addrs: []string{srv.Addr}, Password: "acl-pw"}, // the default user is off
		{Addrs: []string{srv.Addr}, Username: "gatehouse", Password: "wrong"},
	} {
		if kv, err := session.DialRedisOptions(o); !errors.Is(err, storage.ErrUnavailable) {
			if err == nil {
				_ = kv.Close()
			}
			t.Errorf("DialRedisOptions as %q/%q = %v, want storage.ErrUnavailable", o.Username, o.Password, err)
		}
	}
}

// TestRedisLeastPrivilege: the rights docs/operations.md lists for the
// ACL user are enough, and only keys under the prefix are touched.
func TestRedisLeastPrivilege(t *testing.T) {
	ctx := context.Background()
	rules := []string{"resetchannels", "~idp:*", "-@all"}
	for _, c := range strings.Fields("get set getdel del zadd zrem zcard zpopmin zremrangebyscore pexpireat ping eval evalsha") {
		rules = append(rules, "+"+c)
	}
	srv := redistest.New(t, redistest.Options{User: "gatehouse", Password: "pw", Rules: rules})
	kv := dial(t, session.RedisOptions{Addrs: []string{srv.Addr}, Username: "gatehouse", Password: "pw", KeyPrefix: "idp:"})
	limited := kv.WithPendingLimits(session.PendingLimits{Max: 2, PerGroup: 1})
	fill(t, limited, "v")
	if err := limited.PutEvictable(ctx, "198.51.100.7", "flow2", []byte("v"), time.Minute); err != nil {
		t.Fatalf("PutEvictable that evicts: %v", err)
	}
	if err := limited.Unlist(ctx, "198.51.100.7", "flow2"); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Take(ctx, "session"); err != nil {
		t.Fatal(err)
	}
	if err := kv.Delete(ctx, "jti"); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Stats(ctx); err != nil {
		t.Fatal(err)
	}
	if err := kv.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.AddInterval(ctx, "throttle/u/x", time.Now(), time.Minute); err != nil {
		t.Fatalf("the shared throttle's script: %v", err)
	}
	// The rules do bite: a key outside the prefix is refused.
	other := dial(t, session.RedisOptions{Addrs: []string{srv.Addr}, Username: "gatehouse", Password: "pw", KeyPrefix: "other:"})
	if err := other.Put(ctx, "k", []byte("v"), time.Minute); err == nil {
		t.Fatal("Put outside the user's keys succeeded")
	}
}

func TestDialRedisTLS(t *testing.T) {
	srv := redistest.New(t, redistest.Options{TLS: true, ClientCerts: true})
	files := srv.TLS
	good := session.RedisTLS{Enabled: true, CAFile: files.CAFile, CertFile: files.ClientCertFile, KeyFile: files.ClientKeyFile}
	kv := dial(t, session.RedisOptions{Addrs: []string{srv.Addr}, TLS: good})
	fill(t, kv, "v")
	named := good
	named.ServerName = redistest.ServerName
	dial(t, session.RedisOptions{Addrs: []string{srv.Addr}, TLS: named})

	other, err := redistest.WriteTLSFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	wrongCA := good
	wrongCA.CAFile = other.CAFile
	noCert := session.RedisTLS{Enabled: true, CAFile: files.CAFile}
	wrongName := good
	wrongName.ServerName = "elsewhere.test"
	tests := []struct {
		name string
		tls  session.RedisTLS
		want string // in the error
	}{
		{"wrong CA", wrongCA, "certificate signed by unknown authority"},
		{"wrong server name", wrongName, "elsewhere.test"},
		{"no client certificate", noCert, "unavailable"},
		{"plain TCP", session.RedisTLS{}, "unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv, err := session.DialRedisOptions(session.RedisOptions{Addrs: []string{srv.Addr}, TLS: tc.tls})
			if err == nil {
				_ = kv.Close()
				t.Fatal("DialRedisOptions succeeded")
			}
			if !errors.Is(err, storage.ErrUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want storage.ErrUnavailable mentioning %q", err, tc.want)
			}
			wantSessionStoreText(t, tc.name, err)
		})
	}
}

func TestDialRedisOptionsInvalid(t *testing.T) {
	notPEM := t.TempDir() + "/ca.pem"
	addr := closedAddr(t)
	one := []string{addr}
	tests := []struct {
		name string
		o    session.RedisOptions
		want string
	}{
		{"no address", session.RedisOptions{}, "no Redis address"},
		{"empty address", session.RedisOptions{Addrs: []string{" "}}, "empty Redis address"},
		{"addresses and sentinels", session.RedisOptions{Addrs: one, SentinelAddrs: one, SentinelMaster: "m"}, "exclusive"},
		{"sentinel without master", session.RedisOptions{SentinelAddrs: one}, "master name"},
		{"sentinel and cluster", session.RedisOptions{SentinelAddrs: one, SentinelMaster: "m", Cluster: true}, "exclusive"},
		{"cluster with a database", session.RedisOptions{Addrs: one, Cluster: true, DB: 2}, "only database 0"},
		{"negative database", session.RedisOptions{Addrs: one, DB: -1}, "negative"},
		{"prefix too long", session.RedisOptions{Addrs: one, KeyPrefix: strings.Repeat("p", 65)}, "1 to 64 bytes"},
		{"prefix with a space", session.RedisOptions{Addrs: one, KeyPrefix: "my app:"}, "printable"},
		{"prefix with a newline", session.RedisOptions{Addrs: one, KeyPrefix: "a\n"}, "printable"},
		{"certificate without key", session.RedisOptions{Addrs: one, TLS: session.RedisTLS{Enabled: true, CertFile: "c.pem"}}, "both"},
		{"unreadable CA", session.RedisOptions{Addrs: one, TLS: session.RedisTLS{Enabled: true, CAFile: notPEM}}, notPEM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv, err := session.DialRedisOptions(tc.o)
			if err == nil {
				_ = kv.Close()
				t.Fatal("DialRedisOptions succeeded")
			}
			// A mistake in the options is not an outage.
			if errors.Is(err, storage.ErrUnavailable) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want one mentioning %q that is not storage.ErrUnavailable", err, tc.want)
			}
		})
	}
}

// TestRedisCluster runs the KV and pending-flow suites on a three-master
// Redis Cluster: every key of a pipeline may be on another node.
func TestRedisCluster(t *testing.T) {
	c := redistest.NewCluster(t, 3)
	kv := dial(t, session.RedisOptions{Addrs: c.Addrs()[:1], Cluster: true, KeyPrefix: "c:"})
	fill(t, kv, "v")
	var n atomic.Int64
	onCluster := func(t *testing.T, prefix string) *session.Redis {
		client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), MaxRetries: -1})
		t.Cleanup(func() { _ = client.Close() })
		return session.NewRedis(client, fmt.Sprintf("%s%d:", prefix, n.Add(1)))
	}
	t.Run("KV", func(t *testing.T) {
		sessiontest.RunKVTests(t, func(t *testing.T) (session.KV, *sessiontest.FakeClock) {
			clock := sessiontest.NewFakeClock(time.Now())
			clock.OnAdvance(func(time.Duration) { t.Skip("Redis expires keys by its own clock") })
			return onCluster(t, "kv"), clock
		})
	})
	t.Run("evictable", func(t *testing.T) {
		runEvictableTests(t, func(t *testing.T, l session.PendingLimits) session.EvictableKV {
			return onCluster(t, "ev").WithPendingLimits(l)
		})
	})
}
