package faultproxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// echoServer answers every line with the same line. It reports each
// connection it accepted on conns, and on ended each one whose client
// went away.
func echoServer(t *testing.T) (addr string, conns <-chan net.Conn) {
	addr, conns, _ = echoServerEnds(t)
	return addr, conns
}

func echoServerEnds(t *testing.T) (addr string, conns <-chan net.Conn, ended <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	ends := make(chan struct{}, 16)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
			go func() {
				defer func() { _ = c.Close(); ends <- struct{}{} }()
				_, _ = io.Copy(c, c) // echo until the client is done
			}()
		}
	}()
	return ln.Addr().String(), accepted, ends
}

func startProxy(t *testing.T, upstream string) *Proxy {
	t.Helper()
	p, err := Start(upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return c
}

// roundTrip writes a line and reads the echo, returning how long it took.
func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, line string) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		t.Fatal(err)
	}
	got, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the echo of %q: %v", line, err)
	}
	if strings.TrimSuffix(got, "\n") != line {
		t.Fatalf("echo = %q, want %q", got, line)
	}
	return time.Since(start)
}

func TestForwardsBothWaysAndHalfCloses(t *testing.T) {
	upstream, _ := echoServer(t)
	p := startProxy(t, upstream)
	c := dial(t, p)
	r := bufio.NewReader(c)
	roundTrip(t, c, r, "hello")
	big := strings.Repeat("x", 200<<10) // several chunks
	roundTrip(t, c, r, big)
	// The client is done writing: the echo server sees EOF through the
	// proxy, closes, and the client reads EOF in turn.
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Fatalf("after half-close: %q, %v; want a clean EOF", rest, err)
	}
}

func TestLatencyDelaysEachDirection(t *testing.T) {
	upstream, _ := echoServer(t)
	p := startProxy(t, upstream)
	c := dial(t, p)
	r := bufio.NewReader(c)
	const up, down = 150 * time.Millisecond, 250 * time.Millisecond
	tests := []struct {
		name     string
		up, down time.Duration
		atLeast  time.Duration
	}{
		{name: "requests", up: up, atLeast: up},
		{name: "answers", down: down, atLeast: down},
		{name: "both", up: up, down: down, atLeast: up + down},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p.SetLatency(tc.up, tc.down)
			if d := roundTrip(t, c, r, tc.name); d < tc.atLeast {
				t.Errorf("round trip took %v, want at least %v", d, tc.atLeast)
			}
		})
	}
	p.SetLatency(0, 0)
	roundTrip(t, c, r, "healed")
}

func TestPauseHoldsBytesUntilResume(t *testing.T) {
	upstream, accepted := echoServer(t)
	p := startProxy(t, upstream)
	p.Pause()
	c := dial(t, p) // accepted while paused, as a hung server's kernel does
	<-accepted      // and connected on to the server
	if _, err := io.WriteString(c, "held\n"); err != nil {
		t.Fatal(err)
	}
	// Nothing comes back while paused. (A bound on waiting for absence.)
	if err := c.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := c.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read while paused = %q, %v; want nothing", buf[:n], err)
	}
	p.Resume()
	if err := c.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || got != "held\n" {
		t.Fatalf("after Resume read %q, %v; want the held line", got, err)
	}
}

func TestPauseTwiceResumeOnce(t *testing.T) {
	upstream, _ := echoServer(t)
	p := startProxy(t, upstream)
	p.Pause()
	p.Pause()
	p.Resume()
	p.Resume()
	c := dial(t, p)
	roundTrip(t, c, bufio.NewReader(c), "flowing")
}

func TestCutResetsOpenConnections(t *testing.T) {
	upstream, _, ended := echoServerEnds(t)
	p := startProxy(t, upstream)
	c := dial(t, p)
	r := bufio.NewReader(c)
	roundTrip(t, c, r, "before")
	if n := p.Cut(); n != 1 {
		t.Fatalf("Cut() = %d, want 1", n)
	}
	if _, err := r.ReadByte(); !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
		t.Errorf("client read after Cut: %v, want a reset or EOF", err)
	}
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Error("server side still open 10 s after Cut")
	}
	// The proxy itself goes on.
	c2 := dial(t, p)
	roundTrip(t, c2, bufio.NewReader(c2), "after")
}

func TestDeadUpstreamClosesTheClient(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, dead)
	c := dial(t, p)
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("read through a proxy to nothing: %v, want EOF", err)
	}
}

func TestCloseEndsOpenConnections(t *testing.T) {
	upstream, _ := echoServer(t)
	p, err := Start(upstream)
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, p)
	roundTrip(t, c, bufio.NewReader(c), "x")
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("connection open after Close")
	}
	if p.Open() != 0 {
		t.Errorf("Open() = %d after Close", p.Open())
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		t.Error("proxy still accepting after Close")
	}
}
