package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore/schemaapply"
	"github.com/gatehouse-idp/gatehouse/schema"
)

func (a *app) schema(args []string) error {
	if len(args) == 0 {
		return usageError("schema: want print or apply (see gatehouse help)")
	}
	switch args[0] {
	case "print":
		return a.schemaPrint(args[1:])
	case "apply":
		return a.schemaApply(args[1:])
	}
	return usageError("schema: unknown subcommand %q (want print or apply)", args[0])
}

// schemaPrint writes the embedded schema files, ready for ldapadd or
// ldapmodify.
func (a *app) schemaPrint(args []string) error {
	fs := newFlagSet("schema print")
	server := fs.String("server", "", "openldap (cn=config entries), opendj (cn=schema changes; also 389 DS) or ad (Active Directory schema objects)")
	kind := fs.String("kind", schema.KindAll, "client, authz or all")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *server == "" {
		return usageError("schema print: --server openldap|opendj|ad is required")
	}
	files, err := schema.Files(*server, *kind)
	if err != nil {
		return usageError("schema print: %v", err)
	}
	for i, f := range files {
		if i > 0 {
			fmt.Fprintln(a.stdout) // records of different files stay apart
		}
		if _, err := a.stdout.Write(f.Data); err != nil {
			return err
		}
	}
	return nil
}

// schemaPlan is what schema apply needs of a plan: schemaapply.Plan for
// OpenLDAP's cn=config, schemaapply.ADPlan for Active Directory.
type schemaPlan interface {
	Changes() []schemaapply.Change
	Empty() bool
	Apply(conn *ldap.Conn) ([]schemaapply.Change, error)
}

// newSchemaPlan reads the server's schema and plans the changes.
var newSchemaPlan = map[string]func(*ldap.Conn, []schema.Set) (schemaPlan, error){
	schema.ServerOpenLDAP: func(c *ldap.Conn, s []schema.Set) (schemaPlan, error) { return schemaapply.NewPlan(c, s) },
	schema.ServerAD:       func(c *ldap.Conn, s []schema.Set) (schemaPlan, error) { return schemaapply.NewADPlan(c, s) },
}

// schemaApply adds or upgrades the schema in an OpenLDAP server's
// cn=config, or adds it to an Active Directory forest's schema.
func (a *app) schemaApply(args []string) error {
	fs := newFlagSet("schema apply")
	server := fs.String("server", schema.ServerOpenLDAP, "openldap (cn=config) or ad (Active Directory, on the schema master)")
	configPath := fs.String("config", "", "take the server (ldap.urls[0]), TLS settings and bind identity from this configuration")
	url := fs.String("ldap-url", "", "server to change: ldapi://… (SASL EXTERNAL without --bind-dn), ldap:// or ldaps://")
	bindDN := fs.String("bind-dn", "", "identity allowed to change the schema (cn=config; in AD a member of Schema Admins)")
	passwordFile := fs.String("bind-password-file", "", "file holding the password of --bind-dn")
	dryRun := fs.Bool("dry-run", false, "only say what would change")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	newPlan, ok := newSchemaPlan[*server]
	if !ok {
		return usageError("schema apply: unknown --server %q (want %s or %s)", *server, schema.ServerOpenLDAP, schema.ServerAD)
	}
	target, err := applyTarget(*configPath, *url, *bindDN, *passwordFile)
	if err != nil {
		return err
	}
	conn, err := schemaapply.Dial(target)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // nothing to report once the work is done

	plan, err := newPlan(conn, schema.Sets())
	if err != nil {
		return err
	}
	return a.runPlan(plan, conn, *dryRun)
}

// runPlan prints what the plan would do, or does it and prints what was
// done.
func (a *app) runPlan(plan schemaPlan, conn *ldap.Conn, dryRun bool) error {
	if plan.Empty() {
		fmt.Fprintf(a.stdout, "schema %s is current; nothing to do\n", schema.Version)
		return nil
	}
	if dryRun {
		for _, c := range plan.Changes() {
			fmt.Fprintln(a.stdout, c.Planned())
		}
		return nil
	}
	done, err := plan.Apply(conn)
	for _, c := range done {
		fmt.Fprintln(a.stdout, c)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "schema %s applied\n", schema.Version)
	return nil
}

// applyTarget works out where to apply the schema. --ldap-url names the
// server and, with it, the identity comes from the flags alone: cn=config
// is rarely writable by Gatehouse's own service account. Without it the
// configuration's first server and bind identity are used, and the bind
// flags override the identity. A configuration also lends its TLS settings
// and timeout.
func applyTarget(configPath, url, bindDN, passwordFile string) (schemaapply.Target, error) {
	if configPath == "" && url == "" {
		return schemaapply.Target{}, usageError("schema apply: --config PATH or --ldap-url URL is required")
	}
	if (bindDN == "") != (passwordFile == "") {
		return schemaapply.Target{}, usageError("schema apply: --bind-dn and --bind-password-file go together")
	}
	var t schemaapply.Target
	if configPath != "" {
		cfg, err := conf.Load(configPath)
		if err != nil {
			return t, asUsage(err)
		}
		t = schemaapply.Target{StartTLS: cfg.LDAP.StartTLS, CAFile: cfg.LDAP.CAFile, Timeout: cfg.LDAP.Timeout}
		if url == "" {
			if len(cfg.LDAP.URLs) == 0 {
				return t, usageError("schema apply: %s: ldap.urls is empty (the embedded directory needs no schema); use --ldap-url", configPath)
			}
			t.URL, t.BindDN, t.BindPassword = cfg.LDAP.URLs[0], cfg.LDAP.BindDN, cfg.LDAP.BindPassword
		}
	}
	if url != "" {
		t.URL = url
	}
	if bindDN != "" {
		password, err := readPassword(passwordFile)
		if err != nil {
			return t, usageError("schema apply: --bind-password-file: %v", err)
		}
		t.BindDN, t.BindPassword = bindDN, password
	}
	if t.BindDN == "" && !strings.HasPrefix(t.URL, "ldapi://") {
		return t, usageError("schema apply: %s needs --bind-dn and --bind-password-file (SASL EXTERNAL works over ldapi:// only)", t.URL)
	}
	return t, nil
}

// readPassword reads a password file; one trailing line break is not part
// of the password.
func readPassword(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return "", fmt.Errorf("cannot read %q: %v", path, err)
	}
	password := string(data)
	if p, ok := strings.CutSuffix(password, "\n"); ok {
		password = strings.TrimSuffix(p, "\r")
	}
	if password == "" {
		return "", fmt.Errorf("%q is empty", path)
	}
	return password, nil
}
