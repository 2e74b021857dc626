package redistest_test

import (
	"bufio"
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
