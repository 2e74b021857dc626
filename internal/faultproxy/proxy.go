package faultproxy

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// dialTimeout bounds the connection to the upstream server.
const dialTimeout = 5 * time.Second

// Proxy forwards connections accepted on Addr to one upstream address.
type Proxy struct {
	upstream string
	ln       net.Listener

	upDelay   atomic.Int64 // client → server, nanoseconds
	downDelay atomic.Int64 // server → client

	mu     sync.Mutex
	gate   chan struct{} // closed while forwarding; open while paused
	conns  map[*pair]struct{}
	closed bool

	wg sync.WaitGroup
}

// Start listens on a free loopback port and forwards to upstream
// (host:port). The caller must Close the proxy.
func Start(upstream string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{upstream: upstream, ln: ln, gate: make(chan struct{}), conns: map[*pair]struct{}{}}
	close(p.gate)
	p.wg.Go(p.accept)
	return p, nil
}

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetLatency delays every chunk read from the client by up and every
// chunk read from the server by down, from now on; 0 removes the delay.
// Chunks already waiting keep the delay they were read with.
func (p *Proxy) SetLatency(up, down time.Duration) {
	p.upDelay.Store(int64(max(up, 0)))
	p.downDelay.Store(int64(max(down, 0)))
}

// Pause stops forwarding in both directions: connections are still
// accepted and read from (up to the buffers), but nothing is written on,
// until Resume. Pausing a paused proxy does nothing.
func (p *Proxy) Pause() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
		p.gate = make(chan struct{})
	default:
	}
}

// Resume forwards again what Pause held, in order.
func (p *Proxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.gate:
	default:
		close(p.gate)
	}
}

// gateChan is the current gate: closed when forwarding is allowed.
func (p *Proxy) gateChan() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gate
}

// Cut resets every open connection, both sides, as a broken network or a
// restarted firewall would, and returns how many it cut. New connections
// are accepted as before.
func (p *Proxy) Cut() int {
	p.mu.Lock()
	pairs := make([]*pair, 0, len(p.conns))
	for c := range p.conns {
		pairs = append(pairs, c)
	}
	p.mu.Unlock()
	for _, c := range pairs {
		c.reset()
	}
	return len(pairs)
}

// Open is the number of connections being forwarded.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close stops accepting, resets every connection and waits for the
// proxy's goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a failed handshake; the listener itself is fine
		}
		p.wg.Go(func() { p.serve(c) })
	}
}

// serve connects a client to the upstream and forwards until both
// directions have ended. A client whose upstream cannot be reached is
// closed at once, as a load balancer in front of a dead server does.
func (p *Proxy) serve(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.upstream, dialTimeout)
	if err != nil {
		_ = client.Close() // nothing was forwarded; the client sees EOF
		return
	}
	c := &pair{client: client, server: server, done: make(chan struct{})}
	if !p.track(c) {
		c.reset()
		return
	}
	defer p.untrack(c)
	var wg sync.WaitGroup
	wg.Go(func() { p.forward(c, client, server, &p.upDelay) })
	wg.Go(func() { p.forward(c, server, client, &p.downDelay) })
	wg.Wait()
	c.close()
}

func (p *Proxy) track(c *pair) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c *pair) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
