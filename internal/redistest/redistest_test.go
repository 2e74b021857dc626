package redistest_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

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
