// Command gatehouse-chaos is the fault-injection suite behind `make
// chaos`: it starts two private OpenLDAP servers, a Redis and, per fault,
// a `gatehouse serve` from -gatehouse; loads it with the project's load
// generator while it kills, stops, slows and cuts its stores one at a
// time; and prints a table per fault. Exit status 1 when any request got
// no answer or a 500, or a fault did not heal; 2 for a usage error. See
// docs/resilience.md and package internal/chaos.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/gatehouse-idp/gatehouse/internal/chaos"
)

const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "gatehouse-chaos: %v\n", err)
		return exitUsage
	}
	results, err := chaos.Run(ctx, cfg)
	if len(results) > 0 {
		err = errors.Join(err, chaos.WriteTable(stdout, results))
		fmt.Fprintln(stdout)
		err = errors.Join(err, chaos.WriteDetails(stdout, results))
	}
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "gatehouse-chaos: %v\n", err)
		return exitFailure
	case chaos.AnyFailed(results):
		return exitFailure
	}
	return exitOK
}

func parseFlags(args []string, stderr io.Writer) (chaos.Config, error) {
	cfg := chaos.DefaultConfig()
	cfg.Progress = stderr
	fs := flag.NewFlagSet("gatehouse-chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Binary, "gatehouse", "bin/gatehouse", "the gatehouse `binary` to run")
	fs.IntVar(&cfg.Users, "users", cfg.Users, "generated people in the directories")
	fs.DurationVar(&cfg.Timing.Steady, "steady", cfg.Timing.Steady, "load before each fault")
	fs.DurationVar(&cfg.Timing.Hold, "hold", cfg.Timing.Hold, "how long each fault holds")
	fs.DurationVar(&cfg.Timing.Recover, "recover", cfg.Timing.Recover, "load after each heal; the server must recover within it")
	fs.DurationVar(&cfg.RequestDeadline, "deadline", cfg.RequestDeadline, "the server's http.requestTimeout")
	fs.DurationVar(&cfg.LDAPTimeout, "ldap-timeout", cfg.LDAPTimeout, "the server's ldap.timeout and ldap.probeTimeout")
	fs.DurationVar(&cfg.ProbeInterval, "probe-interval", cfg.ProbeInterval, "the server's ldap.probeInterval (upProbeInterval is 4x)")
	fs.DurationVar(&cfg.Slowdown, "slowdown", cfg.Slowdown, "latency added to the slowed directory's answers")
	fs.DurationVar(&cfg.RequestTimeout, "timeout", cfg.RequestTimeout, "the load generator's bound on one HTTP request")
	faults := fs.String("faults", "", "comma-separated faults to inject (default all: "+strings.Join(chaos.FaultNames(), ", ")+")")
	loadSpec := fs.String("load", "", "streams as scenario=rate[/max-in-flight],... (default client-credentials=25/64,code-flow-returning=10/32,code-flow=5/32)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *faults != "" {
		cfg.Faults = strings.Split(*faults, ",")
	}
	if *loadSpec != "" {
		streams, err := chaos.ParseLoad(*loadSpec)
		if err != nil {
			return cfg, err
		}
		cfg.Load = streams
	}
	return cfg, chaos.Validate(cfg)
}
