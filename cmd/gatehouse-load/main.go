package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/limit"
	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// generatorGC is the generator's GOGC when the environment sets none. Its
// live heap is a few MiB, so at Go's default it collects every few MiB of
// request and response buffers; it shares the machine with the server it
// measures, and every cycle it spares is CPU left to the server. Set in
// the process, not through the environment, which the self-hosted server
// inherits; the limit server keeps Go's default, as any server would.
const generatorGC = 400

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse-load: %v\n", err)
		return exitUsage
	}
	if c.serveLimit != "" {
		return exitCode(c.runLimitServer(ctx, stdout), nil, stderr)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(generatorGC)
	}
	sums, err := c.runAll(ctx, stderr)
	if len(sums) > 0 {
		if werr := c.print(stdout, sums); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	return exitCode(err, sums, stderr)
}

// exitCode reports err and maps the outcome to the exit status.
func exitCode(err error, sums []*load.Summary, stderr io.Writer) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "gatehouse-load: %v\n", err)
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "gatehouse-load: %v\n", err)
		return exitFailure
	case anyFailed(sums):
		return exitFailure
	}
	return exitOK
}

// usageError is a problem with the command line found after parsing.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// runAll runs the scenarios one after the other, against a self-hosted
// rig or the target. It returns the summaries of the runs that happened.
func (c *config) runAll(ctx context.Context, stderr io.Writer) (sums []*load.Summary, err error) {
	sc, opts, closeRig, err := c.prepare(ctx, stderr)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, closeRig()) }()
	for _, name := range c.scenarios {
		if ctx.Err() != nil {
			break
		}
		s, err := c.runOne(ctx, name, sc, opts)
		if err != nil {
			return sums, err
		}
		sums = append(sums, s)
	}
	return sums, nil
}

// prepare finds the target, its client and users: from the flags, or by
// starting a rig.
func (c *config) prepare(ctx context.Context, stderr io.Writer) (scenarios.Config, load.Options, func() error, error) {
	opts := c.opts
	noop := func() error { return nil }
	if !c.selfHosted {
		users, err := scenarios.GenerateUsers(c.userPattern, c.userCount)
		if err != nil {
			return scenarios.Config{}, opts, noop, &usageError{err}
		}
		secret, err := readSecret(c.secretFile)
		if err != nil {
			return scenarios.Config{}, opts, noop, &usageError{err}
		}
		return scenarios.Config{Target: c.target, ClientID: c.clientID, ClientSecret: secret,
			RedirectURI: c.redirectURI, Users: users, Workers: opts.Slots(), Timeout: opts.Timeout}, opts, noop, nil
	}
	if c.onlyLimit() {
		// The limit server needs neither directory nor gatehouse.
		return scenarios.Config{Workers: opts.Slots(), Timeout: opts.Timeout}, opts, noop, nil
	}
	fmt.Fprintf(stderr, "gatehouse-load: starting OpenLDAP with %d users and %s\n", c.userCount, c.gatehouse)
	r, err := rig.Start(ctx, rig.Options{Binary: c.gatehouse, Users: c.userCount, UserPattern: c.userPattern, Redis: c.redis,
		AccessTokenAlg: c.tokenAlg})
	if err != nil {
		return scenarios.Config{}, opts, noop, err
	}
	opts.PID = r.Gatehouse.PID()
	sc := r.ScenarioConfig(opts.Slots())
	sc.Timeout = opts.Timeout
	return sc, opts, r.Close, nil
}

func (c *config) runOne(ctx context.Context, name string, sc scenarios.Config, opts load.Options) (*load.Summary, error) {
	if alg, ok := limit.AlgOf(name); ok {
		return c.runLimit(ctx, name, alg, sc, opts)
	}
	s, err := scenarios.New(name, sc)
	if err != nil {
		return nil, &usageError{err}
	}
	return load.Run(ctx, s, opts)
}

func (c *config) print(w io.Writer, sums []*load.Summary) error {
	limit.SetRatios(sums)
	if c.jsonOut {
		return load.WriteJSON(w, sums)
	}
	return load.WriteTable(w, sums)
}

func anyFailed(sums []*load.Summary) bool {
	for _, s := range sums {
		if s.Failed() > 0 {
			return true
		}
	}
	return false
}
