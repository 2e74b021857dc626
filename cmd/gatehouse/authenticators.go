package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/account"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The directory implements the account page's seams.
var (
	_ account.Authenticators = (*ldapstore.Authenticators)(nil)
	_ account.Authorizations = (*ldapstore.Authorizations)(nil)
	_ account.People         = (*ldapstore.Users)(nil)
)

// authenticators lists or deletes a person's second factors from the
// shell: the way back in for someone who lost their device and their
// recovery codes (docs/strong-sign-in.md).
func (a *app) authenticators(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("authenticators: want list or delete (see gatehouse help)")
	}
	sub := args[0]
	if sub != "list" && sub != "delete" {
		return usageError("authenticators: unknown subcommand %q (want list or delete)", sub)
	}
	fs := newFlagSet("authenticators " + sub)
	configPath := fs.String("config", "", "configuration file (default conf/gatehouse.yaml, env GATEHOUSE_CONFIG)")
	subject := fs.String("sub", "", "the person's subject (sub claim)")
	id := fs.String("id", "", "delete: only this authenticator")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *subject == "" {
		return usageError("authenticators %s: --sub is required", sub)
	}
	if sub == "list" && *id != "" {
		return usageError("authenticators list: --id is for delete")
	}
	return a.withAuthenticators(ctx, *configPath, func(store *ldapstore.Authenticators) error {
		if sub == "list" {
			return a.listAuthenticators(ctx, store, *subject)
		}
		return a.deleteAuthenticators(ctx, store, *subject, *id)
	})
}

// withAuthenticators opens the directory the configuration names and the
// authenticator store in it.
func (a *app) withAuthenticators(ctx context.Context, configPath string, fn func(*ldapstore.Authenticators) error) error {
	cfg, err := conf.Load(a.configPath(configPath))
	if err != nil {
		return asUsage(err)
	}
	if cfg.LDAP.Authenticators.BaseDN == "" {
		return usageError("ldap.authenticators.baseDN: not set, so there are no authenticators (strong sign-in is off)")
	}
	log, err := newLogger(a.stderr, conf.Log{Level: "warn", Format: cfg.Log.Format})
	if err != nil {
		return asUsage(err)
	}
	dir, err := openDirectory(cfg.LDAP, log, nil)
	if err != nil {
		return err
	}
	defer dir.Close()
	store, err := ldapstore.NewAuthenticators(dir.pool, cfg.LDAP.Authenticators.BaseDN)
	if err != nil {
		return asUsage(fmt.Errorf("ldap.authenticators.baseDN: %w", err))
	}
	return fn(store)
}

// listAuthenticators prints one line per authenticator: id, kind, name,
// created and last used (UTC); recovery codes say how many are left.
func (a *app) listAuthenticators(ctx context.Context, store *ldapstore.Authenticators, subject string) error {
	list, err := store.List(ctx, subject)
	if err != nil {
		return fmt.Errorf("list authenticators of %s: %w", subject, err)
	}
	for _, au := range list {
		name := au.Name
		if au.Kind == oauth.AuthenticatorRecovery {
			name = fmt.Sprintf("%d codes left", len(au.RecoveryCodes))
		}
		fmt.Fprintf(a.stdout, "%s\t%s\t%s\t%s\t%s\n", au.ID, au.Kind, name, stamp(au.Created), stamp(au.LastUsed))
	}
	return nil
}

// errNoSuchAuthenticator: --id names nothing of the person's.
var errNoSuchAuthenticator = errors.New("no such authenticator")

// deleteAuthenticators deletes one (id) or all of the person's
// authenticators, recovery codes included; the next sign-in offers
// enrolment again where the policy asks for a second factor.
func (a *app) deleteAuthenticators(ctx context.Context, store *ldapstore.Authenticators, subject, id string) error {
	list, err := store.List(ctx, subject)
	if err != nil {
		return fmt.Errorf("list authenticators of %s: %w", subject, err)
	}
	deleted := 0
	for _, au := range list {
		if id != "" && au.ID != id {
			continue
		}
		if err := store.Delete(ctx, subject, au.ID); err != nil && !errors.Is(err, ldapstore.ErrNotFound) {
			return fmt.Errorf("delete authenticator %s: %w", au.ID, err)
		}
		deleted++
		fmt.Fprintf(a.stdout, "deleted %s\t%s\n", au.ID, au.Kind)
	}
	if id != "" && deleted == 0 {
		return fmt.Errorf("authenticator %s of %s: %w", id, subject, errNoSuchAuthenticator)
	}
	return nil
}

// stamp shows a time for the listing; "-" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
