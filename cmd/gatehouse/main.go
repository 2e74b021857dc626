package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes: 2 for anything the operator must fix in the command line or
// the configuration, 1 for failures while running.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

const usage = `usage: gatehouse <command> [flags]

commands:
  serve [--config PATH]            run the provider (default conf/gatehouse.yaml, env GATEHOUSE_CONFIG)
  keys generate --out FILE         write a new JWK set (--rotate adds new signing keys to FILE)
  keys rotate --config PATH        add signing keys to the configured store, on its schedule
  keys import --config PATH --from FILE   put a key file into the directory (keys.store: directory)
  keys kek                         print a new key-encryption key (base64)
  schema print --server openldap|opendj|ad [--kind client|authz|all]
                                   print the shipped LDAP schema files
  schema apply [--server openldap|ad] --config PATH | --ldap-url URL [--bind-dn DN --bind-password-file FILE] [--dry-run]
                                   add or upgrade the schema in OpenLDAP cn=config, or on
                                   Active Directory's schema master;
                                   ldapi:// without --bind-dn binds with SASL EXTERNAL
  clients import --config PATH FILE.json
                                   create or update clients from a JSON array of RFC 7591 registrations
  clients list|get ID|delete ID --config PATH
                                   list clients (ID and name), show one as JSON, or delete one
  authenticators list|delete --sub SUB [--id ID] --config PATH
                                   list a person's second factors, or delete them (all, or one)
  sessions end --sub SUB --config PATH
                                   sign a person out everywhere (sessions.store: redis), with back-channel logout
  healthcheck [--url URL] [--timeout D]
                                   exit 0 when URL (default http://127.0.0.1:8080/health/live) answers 200
  version                          print the version and the LDAP schema version
`

// app carries the process's surroundings, so that tests run commands
// in-process without globals.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// onServing, when set, is told the addresses once the server listens.
	onServing func(httpAddr, ldapURL string)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(a.run(ctx, os.Args[1:]))
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = a.serve(ctx, args[1:])
	case "keys":
		err = a.keys(ctx, args[1:])
	case "schema":
		err = a.schema(args[1:])
	case "clients":
		err = a.clients(ctx, args[1:])
	case "authenticators":
		err = a.authenticators(ctx, args[1:])
	case "sessions":
		err = a.sessions(ctx, args[1:])
	case "version":
		err = a.version(args[1:])
	case "healthcheck":
		err = a.healthcheck(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(a.stdout, usage)
		return exitOK
	default:
		err = usageError("unknown command %q (see gatehouse help)", args[0])
	}
	return a.exit(err)
}

// exit prints one line for an error and picks the exit code.
func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(a.stderr, "gatehouse: %v\n", err)
	var ue *usageErr
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

// usageErr marks an error the operator must fix before running again:
// a bad flag, a bad configuration, a bad key file.
type usageErr struct{ err error }

func (e *usageErr) Error() string { return e.err.Error() }
func (e *usageErr) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &usageErr{err: fmt.Errorf(format, args...)}
}

func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &usageErr{err: err}
}

// newFlagSet makes a flag set that reports errors instead of exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usageError("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
