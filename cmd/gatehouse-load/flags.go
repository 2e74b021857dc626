package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
	"github.com/gatehouse-idp/gatehouse/internal/load/limit"
	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
)

// config is the command line, parsed.
type config struct {
	target      string
	scenarios   []string
	opts        load.Options
	clientID    string
	secretFile  string
	redirectURI string
	userPattern string
	userCount   int
	jsonOut     bool
	allowRemote bool
	selfHosted  bool
	gatehouse   string
	redis       bool
	tokenAlg    string
	// The limit server (limit.go): serveLimit, when set, is the only
	// thing this process does.
	serveLimit    string
	limitAlg      string
	limitAddrFile string
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("gatehouse-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var names string
	fs.StringVar(&c.target, "target", "http://127.0.0.1:8080", "base URL of the Gatehouse to load")
	fs.StringVar(&names, "scenario", "all", "comma-separated scenarios, or all: "+strings.Join(scenarios.Names(), ", ")+"; with -self-hosted also "+limit.Scenario+", "+limit.ScenarioES256+" (all starts with "+limit.Scenario+")")
	fs.IntVar(&c.opts.Workers, "workers", 10, "closed loop: concurrent workers")
	fs.IntVar(&c.opts.Requests, "n", 1000, "iterations per scenario at most (0: only -duration bounds a run)")
	fs.DurationVar(&c.opts.Duration, "duration", 60*time.Second, "time per scenario at most")
	fs.Float64Var(&c.opts.Rate, "rate", 0, "open loop: iterations scheduled per second (0: closed loop)")
	fs.IntVar(&c.opts.MaxInFlight, "max-in-flight", 0, "open loop: iterations in flight at most (default -workers)")
	fs.DurationVar(&c.opts.Timeout, "timeout", load.DefaultTimeout, "bound of one iteration")
	fs.IntVar(&c.opts.PID, "pid", 0, "sample this process's peak RSS (the server's PID)")
	fs.StringVar(&c.clientID, "client-id", "", "confidential client (client_secret_basic)")
	fs.StringVar(&c.secretFile, "client-secret-file", "", "file holding the client's secret")
	fs.StringVar(&c.redirectURI, "redirect-uri", "", "the client's registered redirect URI (code flows)")
	fs.StringVar(&c.userPattern, "users", rig.DefaultUserPattern, "NAME:PASSWORD formats of the users' numbers")
	fs.IntVar(&c.userCount, "user-count", 100, "number of users (1..N)")
	fs.BoolVar(&c.jsonOut, "json", false, "print JSON instead of a table")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow a target that is not loopback")
	fs.BoolVar(&c.selfHosted, "self-hosted", false, "start a private OpenLDAP and -gatehouse, and load them")
	fs.StringVar(&c.gatehouse, "gatehouse", "bin/gatehouse", "self-hosted: the gatehouse binary")
	fs.BoolVar(&c.redis, "redis", false, "self-hosted: keep sessions in a private redis-server")
	fs.StringVar(&c.tokenAlg, "access-token-alg", "", "self-hosted: op.token.accessTokenAlg of the server (RS256, PS256, ES256, EdDSA)")
	fs.StringVar(&c.serveLimit, limit.FlagServe, "", "serve the limit server on this loopback host:port until killed, instead of loading (needs -client-id, -client-secret-file)")
	fs.StringVar(&c.limitAlg, limit.FlagAlg, limit.RS256, "-serve-limit: the signing algorithm (RS256, ES256)")
	fs.StringVar(&c.limitAddrFile, limit.FlagAddrFile, "", "-serve-limit: write the address listened on to this file once listening")
	fs.DurationVar(&c.opts.SetupTimeout, "setup-timeout", load.DefaultSetupTimeout, "bound of each scenario's setup (sign-ins)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.scenarios = scenarioList(names, c.selfHosted)
	if c.serveLimit != "" {
		return c, c.checkServeLimit()
	}
	return c, c.check()
}

// scenarioList reads -scenario. "all" self-hosted starts with the limit
// server, so that it is measured before the machine warms up with the
// others and every later row has its ratio.
func scenarioList(names string, selfHosted bool) []string {
	if names == "all" && selfHosted {
		return append([]string{limit.Scenario}, scenarios.Names()...)
	}
	if names == "all" {
		return scenarios.Names()
	}
	var out []string
	for n := range strings.SplitSeq(names, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// check reports every problem of the command line at once.
func (c *config) check() error {
	var errs []error
	if len(c.scenarios) == 0 {
		errs = append(errs, errors.New("-scenario: none given"))
	}
	if c.opts.Requests <= 0 && c.opts.Duration <= 0 {
		errs = append(errs, errors.New("-n and -duration: at least one must bound the run"))
	}
	if !c.selfHosted {
		if err := load.CheckTarget(c.target, c.allowRemote); err != nil {
			errs = append(errs, fmt.Errorf("-target: %w", err))
		}
	}
	for _, name := range c.scenarios {
		if _, ok := limit.AlgOf(name); ok && !c.selfHosted {
			errs = append(errs, fmt.Errorf("-scenario %s: needs -self-hosted (the generator starts the limit server itself)", name))
		}
	}
	if c.selfHosted && (c.clientID != "" || c.secretFile != "" || c.opts.PID != 0) {
		errs = append(errs, errors.New("-self-hosted registers its own client and knows the PID: drop -client-id, -client-secret-file and -pid"))
	}
	return errors.Join(errs...)
}

// readSecret reads the client secret file; one trailing newline is not
// part of the secret.
func readSecret(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("-client-secret-file: %w", err)
	}
	return strings.TrimSuffix(strings.TrimSuffix(string(raw), "\n"), "\r"), nil
}
