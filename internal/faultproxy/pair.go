package faultproxy

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// queueChunks bounds the chunks read but not yet written per direction;
// past it reading stops and TCP's own flow control pushes back.
const queueChunks = 64

const chunkSize = 32 << 10

// pair is one proxied connection: the client's and the server's sides.
type pair struct {
	client, server net.Conn
	once           sync.Once
	done           chan struct{} // closed when the pair is torn down
}

// chunk is bytes read from one side, due to be written at due.
type chunk struct {
	data []byte
	due  time.Time
}

// forward copies src to dst through a queue that applies the delay and
// the pause gate. When src ends cleanly the write side of dst is closed
// after the queue drained (half-close, so the other direction goes on);
// any error tears the pair down.
func (p *Proxy) forward(c *pair, src, dst net.Conn, delay *atomic.Int64) {
	queue := make(chan chunk, queueChunks)
	var reader sync.WaitGroup
	reader.Go(func() { c.read(src, queue, delay) })
	defer reader.Wait() // on an early return the teardown ends the read
	for ch := range queue {
		if !c.wait(ch.due, p) {
			return
		}
		if _, err := dst.Write(ch.data); err != nil {
			c.reset()
			return
		}
	}
	select {
	case <-c.done:
	default:
		if tcp, ok := dst.(*net.TCPConn); ok {
			_ = tcp.CloseWrite() // the peer may already be gone; teardown follows
		}
	}
}

// read fills queue from src until EOF or an error, then closes it. An
// error other than EOF tears the pair down, so that a reset reaches the
// other side as a reset.
func (c *pair) read(src net.Conn, queue chan<- chunk, delay *atomic.Int64) {
	defer close(queue)
	for {
		buf := make([]byte, chunkSize)
		n, err := src.Read(buf)
		if n > 0 {
			select {
			case queue <- chunk{data: buf[:n], due: time.Now().Add(time.Duration(delay.Load()))}:
			case <-c.done:
				return
			}
		}
		if err != nil {
			if !isEOF(err) {
				c.reset()
			}
			return
		}
	}
}

// wait blocks until due and until the proxy is not paused; false when
// the pair was torn down meanwhile.
func (c *pair) wait(due time.Time, p *Proxy) bool {
	if d := time.Until(due); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-c.done:
			return false
		}
	}
	for {
		gate := p.gateChan()
		select {
		case <-gate:
			// Resume may have been followed by another Pause.
			if gate == p.gateChan() {
				return true
			}
		case <-c.done:
			return false
		}
	}
}

// reset tears both sides down with a TCP reset (linger 0).
func (c *pair) reset() {
	c.once.Do(func() {
		close(c.done)
		for _, conn := range []net.Conn{c.client, c.server} {
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0) // best effort: Close below still ends it
			}
			_ = conn.Close()
		}
	})
}

// close ends a pair whose directions both finished.
func (c *pair) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.client.Close() // both directions are done; nothing is lost
		_ = c.server.Close()
	})
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
