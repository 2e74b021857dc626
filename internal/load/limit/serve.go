package limit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Bounds of the server's connections: generous for a benchmark, but a
// stuck client cannot hold one for ever.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = time.Minute
)

// Listen listens on addr, which must be a loopback host and a port ("0"
// picks a free one): the limit server takes a plaintext secret and is a
// measuring tool, not something to expose.
func Listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("limit: address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("limit: address %q: the host must be a loopback IP (127.0.0.1, ::1)", addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("limit: %w", err)
	}
	return l, nil
}

// Serve answers on l until ctx ends, then closes every connection at
// once rather than shutting down gracefully: the measuring is over when
// the generator stops the server, and a connection its transport opened
// but never used counts as busy to http.Server.Shutdown for seconds.
func Serve(ctx context.Context, l net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return fmt.Errorf("limit: %w", err)
	case <-ctx.Done():
	}
	err := srv.Close()
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}
