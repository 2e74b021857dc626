package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthcheck asks a running server whether it is alive: for container
// HEALTHCHECKs on an image with nothing but the binary (no curl). One GET,
// no redirects followed, no configuration read.
func (a *app) healthcheck(ctx context.Context, args []string) error {
	fs := newFlagSet("healthcheck")
	target := fs.String("url", "http://127.0.0.1:8080/health/live", "the address to GET")
	timeout := fs.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *timeout <= 0 {
		return usageError("healthcheck: --timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *target, nil)
	if err != nil {
		return usageError("healthcheck: --url: %v", err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return fmt.Errorf("healthcheck: GET %s: no answer within %s", *target, *timeout)
		}
		return fmt.Errorf("healthcheck: GET %s: %v", *target, err)
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s: status %d", *target, resp.StatusCode)
	}
	return nil
}
