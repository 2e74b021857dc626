package redistest_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
)

func TestStartAndClose(t *testing.T) {
	s := redistest.New(t, redistest.Options{Password: "s3cret"})
	conn, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		t.Fatalf("dial running server: %v", err)
	}
	_ = conn.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if conn, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		_ = conn.Close()
		t.Fatalf("server still accepting at %s after Close", s.Addr)
	}
}

func TestServersAreSeparate(t *testing.T) {
	a := redistest.New(t, redistest.Options{})
	b := redistest.New(t, redistest.Options{})
	if a.Addr == b.Addr || a.Dir == b.Dir {
		t.Fatalf("two servers share %s / %s", a.Addr, a.Dir)
	}
}

func TestStartCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := redistest.Start(ctx, t.TempDir(), redistest.Options{})
	switch {
	case errors.Is(err, redistest.ErrNotInstalled):
		t.Skip(err)
	case err == nil:
		_ = s.Close()
		t.Fatal("Start with a cancelled context succeeded")
	case !errors.Is(err, context.Canceled):
		t.Fatalf("Start with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestPauseResume(t *testing.T) {
	s := redistest.New(t, redistest.Options{})
	conn, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	r := bufio.NewReader(conn)
	ping := func(deadline time.Duration) (string, error) {
		if err := conn.SetDeadline(time.Now().Add(deadline)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Write([]byte("PING\r\n")); err != nil {
			return "", err
		}
		return r.ReadString('\n')
	}
	if got, err := ping(5 * time.Second); err != nil || got != "+PONG\r\n" {
		t.Fatalf("PING before Pause = %q, %v", got, err)
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	// A paused server answers nothing: the read runs into its deadline.
	var ne net.Error
	if got, err := ping(200 * time.Millisecond); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("PING while paused = %q, %v; want a timeout", got, err)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	// The PING sent while paused is answered now, then the new one.
	for range 2 {
		if got, err := ping(5 * time.Second); err != nil || got != "+PONG\r\n" {
			t.Fatalf("PING after Resume = %q, %v", got, err)
		}
	}
}

func TestClosePaused(t *testing.T) {
	s := redistest.New(t, redistest.Options{})
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close of a paused server did not return within 10s")
	}
	if conn, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		_ = conn.Close()
		t.Fatalf("server still accepting at %s after Close", s.Addr)
	}
}

// client returns a go-redis client of s, closed when the test ends.
func client(t *testing.T, opts *redis.Options) *redis.Client {
	t.Helper()
	opts.MaxRetries = -1
	c := redis.NewClient(opts)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestACLUser(t *testing.T) {
	s := redistest.New(t, redistest.Options{User: "gatehouse", Password: "pw"})
	ctx := context.Background()
	if err := client(t, &redis.Options{Addr: s.Addr, Username: "gatehouse", Password: "pw"}).Ping(ctx).Err(); err != nil {
		t.Fatalf("PING as the ACL user: %v", err)
	}
	// The default user is off: neither the bare password nor no AUTH gets in.
	for _, o := range []*redis.Options{{Addr: s.Addr, Password: "pw"}, {Addr: s.Addr}} {
		if err := client(t, o).Ping(ctx).Err(); err == nil {
			t.Errorf("PING without the user (password %q) succeeded", o.Password)
		}
	}
}

func tlsConfig(t *testing.T, f *redistest.TLSFiles, withCert bool) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(f.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{ServerName: redistest.ServerName, RootCAs: x509.NewCertPool()}
	if !cfg.RootCAs.AppendCertsFromPEM(pem) {
		t.Fatal("no CA certificate in", f.CAFile)
	}
	if withCert {
		cert, err := tls.LoadX509KeyPair(f.ClientCertFile, f.ClientKeyFile)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg
}

func TestTLS(t *testing.T) {
	ctx := context.Background()
	s := redistest.New(t, redistest.Options{TLS: true, ClientCerts: true, Password: "pw"})
	if s.TLS == nil {
		t.Fatal("Server.TLS is nil")
	}
	if err := client(t, &redis.Options{Addr: s.Addr, Password: "pw", TLSConfig: tlsConfig(t, s.TLS, true)}).Ping(ctx).Err(); err != nil {
		t.Fatalf("PING over TLS with a client certificate: %v", err)
	}
	if err := client(t, &redis.Options{Addr: s.Addr, Password: "pw", TLSConfig: tlsConfig(t, s.TLS, false)}).Ping(ctx).Err(); err == nil {
		t.Error("PING over TLS without a client certificate succeeded")
	}
	if err := client(t, &redis.Options{Addr: s.Addr, Password: "pw"}).Ping(ctx).Err(); err == nil {
		t.Error("plain PING to a TLS-only server succeeded")
	}
	other, err := redistest.WriteTLSFiles(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := client(t, &redis.Options{Addr: s.Addr, Password: "pw", TLSConfig: tlsConfig(t, &other, false)}).Ping(ctx).Err(); err == nil {
		t.Error("PING trusting another CA succeeded")
	}
}

func TestSentinelFailover(t *testing.T) {
	ctx := context.Background()
	s := redistest.NewSentinel(t, redistest.SentinelOptions{Password: "pw", SentinelPassword: "spw"})
	if got, err := s.MasterAddr(ctx); err != nil || got != s.Master.Addr {
		t.Fatalf("MasterAddr = %q, %v; want %s", got, err, s.Master.Addr)
	}
	if err := s.Failover(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := s.MasterAddr(ctx)
		if err == nil && got == s.Replica.Addr {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("master after failover = %q, %v; want the replica %s", got, err, s.Replica.Addr)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

func TestCluster(t *testing.T) {
	ctx := context.Background()
	c := redistest.NewCluster(t, 3)
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs()})
	t.Cleanup(func() { _ = cc.Close() })
	nodes := map[string]bool{}
	for i := range 30 {
		key := fmt.Sprintf("k%d", i)
		if err := cc.Set(ctx, key, "v", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		n, err := cc.MasterForKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		nodes[n.Options().Addr] = true
	}
	if len(nodes) != 3 {
		t.Errorf("30 keys landed on %d nodes, want all 3", len(nodes))
	}
}
