package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
)

// TestRedisKeyPrefix: with sessions.redis.keyPrefix every key the server
// writes starts with it, so deployments can share one Redis.
func TestRedisKeyPrefix(t *testing.T) {
	rds := redistest.New(t, redistest.Options{})
	s := startDemoServerWith(t, fmt.Sprintf("sessions: {store: redis, redis: {addrs: [%q], keyPrefix: \"idp-a:\"}}\n", rds.Addr))
	b := newBrowser(t, s)
	if code := codeFor(t, s, b); code == "" {
		t.Fatal("no code")
	}
	raw := redis.NewClient(&redis.Options{Addr: rds.Addr})
	defer raw.Close()
	keys, err := raw.Keys(context.Background(), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatal("the server wrote no keys")
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "idp-a:") {
			t.Errorf("key %q lacks the prefix", k)
		}
	}
}

// TestRedisBadCAFile: a session store option that cannot work is the
// operator's to fix: exit 2 with the key named, not a retry loop.
func TestRedisBadCAFile(t *testing.T) {
	dir := t.TempDir()
	notPEM := writeFile(t, dir, "ca.pem", "not a certificate")
	path := writeFile(t, dir, "gatehouse.yaml", embeddedConfig(t)+
		"sessions: {store: redis, redis: {addrs: [\"127.0.0.1:6379\"], tls: {enabled: true, caFile: "+notPEM+"}}}\n")
	r := runCmd(t, "serve", "--config", path)
	if r.code != exitUsage || !strings.Contains(r.stderr, "sessions.redis") {
		t.Errorf("code %d, stderr %q; want 2 naming sessions.redis", r.code, r.stderr)
	}
}
