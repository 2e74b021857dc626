package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/registration"
)

// clients administers client registrations from the shell, through the
// same service as the /clients endpoint, on the master's authority.
func (a *app) clients(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("clients: want import, list, get or delete (see gatehouse help)")
	}
	sub, rest := args[0], args[1:]
	var want int // positional arguments
	switch sub {
	case "import", "get", "delete":
		want = 1
	case "list":
	default:
		return usageError("clients: unknown subcommand %q (want import, list, get or delete)", sub)
	}
	fs := newFlagSet("clients " + sub)
	configPath := fs.String("config", "", "configuration file (default conf/gatehouse.yaml, env GATEHOUSE_CONFIG)")
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) != want {
		return usageError("clients %s: %s", sub, clientsUsage[sub])
	}
	if sub == "import" {
		// Read the file before touching the directory: a bad file is the
		// operator's to fix, and nothing is half done.
		reqs, err := readImportFile(pos[0])
		if err != nil {
			return err
		}
		return a.withClients(ctx, *configPath, true, func(svc *registration.Service) error {
			return a.importClients(ctx, svc, reqs)
		})
	}
	// Reading and deleting registrations shows or needs no secret: they
	// work on a host that has the configuration but not the key set.
	return a.withClients(ctx, *configPath, false, func(svc *registration.Service) error {
		switch sub {
		case "get":
			return a.getClient(ctx, svc, pos[0])
		case "delete":
			return a.deleteClient(ctx, svc, pos[0])
		}
		return a.listClients(ctx, svc)
	})
}

var clientsUsage = map[string]string{
	"import": "want one file: gatehouse clients import --config PATH FILE.json",
	"list":   "takes no arguments: gatehouse clients list --config PATH",
	"get":    "want one client ID: gatehouse clients get ID --config PATH",
	"delete": "want one client ID: gatehouse clients delete ID --config PATH",
}

// parseInterspersed parses flags given before, between and after the
// positional arguments, and returns the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError("%s: %v", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// withClients opens the directory and the key set the configuration names
// and runs fn with a registration service over them. Without needKeys a
// missing key set is no error: nothing is encrypted or decrypted then, and
// a throw-away key set that is never written stands in for it.
func (a *app) withClients(ctx context.Context, configPath string, needKeys bool, fn func(*registration.Service) error) error {
	cfg, err := conf.Load(a.configPath(configPath))
	if err != nil {
		return asUsage(err)
	}
	log, err := newLogger(a.stderr, conf.Log{Level: "warn", Format: cfg.Log.Format})
	if err != nil {
		return asUsage(err)
	}
	// The key set must exist already: a new one here would encrypt
	// secrets under a key the server does not have.
	keys, err := keyset.Load(cfg.Keys.File)
	if !needKeys && errors.Is(err, fs.ErrNotExist) {
		keys, err = keyset.Generate()
	}
	if err != nil {
		return asUsage(fmt.Errorf("keys.file: %w (gatehouse serve creates it on first start)", err))
	}
	dir, err := openDirectory(cfg.LDAP, log, nil)
	if err != nil {
		return err
	}
	defer dir.Close()
	reg, err := newRegistry(cfg, dir.pool, keys)
	if err != nil {
		return err
	}
	svc, err := reg.service(cfg.Issuer)
	if err != nil {
		return err
	}
	return fn(svc)
}

// readImportFile reads a JSON array of registration requests.
func readImportFile(path string) ([]*registration.Request, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, asUsage(err)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, usageError("%s: want a JSON array of client registrations: %v", path, err)
	}
	reqs := make([]*registration.Request, len(raw))
	for i, r := range raw {
		req, err := registration.ParseRequest(r)
		if err != nil {
			return nil, usageError("%s: registration #%d: %s", path, i+1, reason(err))
		}
		reqs[i] = req
	}
	return reqs, nil
}

// errImportFailed is returned when some registrations could not be imported.
var errImportFailed = errors.New("not every client was imported")

// importClients creates or updates each client and says which.
func (a *app) importClients(ctx context.Context, svc *registration.Service, reqs []*registration.Request) error {
	failed := 0
	for i, req := range reqs {
		outcome, info, err := svc.Import(ctx, req)
		if err != nil {
			failed++
			fmt.Fprintf(a.stdout, "failed %s: %s\n", importName(i, req), reason(err))
			continue
		}
		line := outcome.String() + " " + info.Client.ID
		if generatedSecret(req, info.Secret) {
			// Made up here and possibly kept only hashed: now or never.
			line += " client_secret=" + info.Secret
		}
		fmt.Fprintln(a.stdout, line)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d failed", errImportFailed, failed, len(reqs))
	}
	return nil
}

// generatedSecret tells a secret the import made up from one the file gave.
func generatedSecret(req *registration.Request, shown string) bool {
	given := req.PreferredClientSecret
	if given == "" && req.ClientSecret != nil {
		given = *req.ClientSecret
	}
	return shown != "" && shown != given
}

// importName names a registration in the report: its ID, or its place in
// the file.
func importName(i int, req *registration.Request) string {
	switch {
	case req.ClientID != "":
		return req.ClientID
	case req.PreferredClientID != "":
		return req.PreferredClientID
	}
	return "#" + strconv.Itoa(i+1)
}

// reason is the one-line explanation of a failure: an OAuth error's
// description, which never holds internal text, or the error itself.
func reason(err error) string {
	var oe *oauth.Error
	if !errors.As(err, &oe) {
		return err.Error()
	}
	if oe.Unwrap() != nil && oe.Status >= 500 {
		return oe.Description + ": " + oe.Unwrap().Error()
	}
	if oe.Description == "" {
		return oe.Code
	}
	return oe.Description
}

func (a *app) getClient(ctx context.Context, svc *registration.Service, id string) error {
	info, err := svc.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("client %s: %s", id, reason(err))
	}
	raw, err := info.MarshalJSON()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = a.stdout.Write(out.Bytes())
	return err
}

func (a *app) deleteClient(ctx context.Context, svc *registration.Service, id string) error {
	if err := svc.Delete(ctx, id); err != nil {
		return fmt.Errorf("client %s: %s", id, reason(err))
	}
	fmt.Fprintf(a.stdout, "deleted %s\n", id)
	return nil
}

// listClients prints one client per line: its ID, a tab and its name.
// Entries that cannot be read are reported on stderr and make the command
// fail once the rest are listed.
func (a *app) listClients(ctx context.Context, svc *registration.Service) error {
	unreadable := 0
	for info, err := range svc.List(ctx) {
		switch {
		case errors.Is(err, registration.ErrUnreadable):
			unreadable++
			fmt.Fprintf(a.stderr, "gatehouse: %v\n", err)
		case err != nil:
			return fmt.Errorf("list clients: %s", reason(err))
		default:
			fmt.Fprintf(a.stdout, "%s\t%s\n", info.Client.ID, info.Client.Metadata.ClientName.Get(""))
		}
	}
	if unreadable > 0 {
		return fmt.Errorf("%d client entries could not be read", unreadable)
	}
	return nil
}
