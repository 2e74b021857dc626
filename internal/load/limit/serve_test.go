package limit

import (
	"context"
	"net"
	"net/http"
	"testing"
)

// TestServeStopsWithAnUnusedConnection: a connection opened but never
// used (a transport's spare) does not keep Serve from ending cleanly once
// its context ends; a graceful shutdown would wait on it and fail.
func TestServeStopsWithAnUnusedConnection(t *testing.T) {
	l, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, l, http.NotFoundHandler()) }()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }() // the server closed it already
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
