package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/limit"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

// limitClientID is the one client of a self-hosted limit server.
const limitClientID = "limit-client"

// checkServeLimit checks the command line of -serve-limit, which takes
// only its own flags and the client's.
func (c *config) checkServeLimit() error {
	var errs []error
	if !slices.Contains(limit.Algs, c.limitAlg) {
		errs = append(errs, fmt.Errorf("-%s %q: want RS256 or ES256", limit.FlagAlg, c.limitAlg))
	}
	if c.clientID == "" || c.secretFile == "" {
		errs = append(errs, fmt.Errorf("-%s: needs -client-id and -client-secret-file", limit.FlagServe))
	}
	if c.selfHosted {
		errs = append(errs, fmt.Errorf("-%s and -self-hosted: one or the other", limit.FlagServe))
	}
	return errors.Join(errs...)
}

// onlyLimit tells whether every scenario asked for is a limit one.
func (c *config) onlyLimit() bool {
	return !slices.ContainsFunc(c.scenarios, func(name string) bool {
		_, ok := limit.AlgOf(name)
		return !ok
	})
}

// runLimitServer runs the limit server in this process until ctx ends (the
// parent's SIGTERM). Its address goes to stdout and, when asked, to a
// file, written only once the socket listens.
func (c *config) runLimitServer(ctx context.Context, stdout io.Writer) error {
	secret, err := readSecret(c.secretFile)
	if err != nil {
		return &usageError{err}
	}
	l, err := limit.Listen(c.serveLimit)
	if err != nil {
		return &usageError{err}
	}
	issuer := "http://" + l.Addr().String()
	h, err := limit.New(limit.Config{Issuer: issuer, ClientID: c.clientID, Secret: secret, Alg: c.limitAlg})
	if err != nil {
		return errors.Join(err, l.Close())
	}
	if c.limitAddrFile != "" {
		if err := limit.WriteAddrFile(c.limitAddrFile, l.Addr().String()); err != nil {
			return errors.Join(err, l.Close())
		}
	}
	fmt.Fprintf(stdout, "gatehouse-load: limit server (%s) on %s\n", c.limitAlg, issuer)
	return limit.Serve(ctx, l, h)
}

// runLimit starts the limit server as a child process (this very binary,
// so that it has a Go runtime of its own, as gatehouse serve has), runs
// the client-credentials scenario against it with the run's options, and
// stops it. The row is called name.
func (c *config) runLimit(ctx context.Context, name, alg string, sc scenarios.Config, opts load.Options) (_ *load.Summary, err error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("limit server: %w", err)
	}
	dir, err := os.MkdirTemp("", "gatehouse-limit-")
	if err != nil {
		return nil, fmt.Errorf("limit server: %w", err)
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	secret := rand.Text()
	proc, err := limit.Start(ctx, limit.ProcessOptions{Exe: exe, Dir: dir, Alg: alg, ClientID: limitClientID, Secret: secret})
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, proc.Stop()) }()
	sc.Target, sc.ClientID, sc.ClientSecret, sc.Transport = proc.URL, limitClientID, secret, nil
	s, err := scenarios.New("client-credentials", sc)
	if err != nil {
		return nil, err
	}
	opts.PID = proc.PID()
	return load.Run(ctx, named{s, name}, opts)
}

// named is a scenario under another name: the client-credentials
// scenario against the limit server makes the row "limit".
type named struct {
	load.Scenario
	name string
}

func (n named) Name() string { return n.name }
