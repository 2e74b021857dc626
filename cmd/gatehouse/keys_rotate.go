package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

// defaultPrePublication is keys.prePublication's default, for `keys
// generate --rotate`, which has no configuration.
const defaultPrePublication = 10 * time.Minute

// keysRotate is `gatehouse keys rotate --config PATH [--audit OUT]`: new
// signing keys into the configured store, published at once, signing
// after keys.prePublication; superseded keys retire after the longest
// token lifetime. Every instance picks the change up on its next refresh.
func (a *app) keysRotate(ctx context.Context, args []string) error {
	fs := newFlagSet("keys rotate")
	path := fs.String("config", "", "configuration file (default conf/gatehouse.yaml, env GATEHOUSE_CONFIG)")
	auditOut := fs.String("audit", "", "audit log to record the rotation in (a path, or stdout); default audit.output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var fresh, written *keyset.Set
	var where string
	err := a.withKeyStore(ctx, *path, func(cfg *conf.Config, store *keyStore) error {
		var err error
		if fresh, err = keyset.Generate(); err != nil {
			return err
		}
		if written, err = store.rotate(ctx, fresh); err != nil {
			return err
		}
		where = store.where()
		if *auditOut == "" {
			*auditOut = cfg.Audit.Output
		}
		return nil
	})
	if err != nil {
		return err
	}
	rsaKey := keyIDOf(fresh)
	from := written.Schedule(rsaKey).SignsFrom
	if err := a.recordKeyRotation(*auditOut, fresh, "gatehouse keys rotate",
		fmt.Sprintf("new signing keys in %s; they sign from %s", where, from.UTC().Format(time.RFC3339))); err != nil {
		return err
	}
	a.reportKeys("rotated", where, fresh)
	fmt.Fprintf(a.stdout, "the new keys sign from %s; %d signing keys are published\n",
		from.UTC().Format(time.RFC3339), len(written.KeyIDs()))
	return nil
}

// keysImport is `gatehouse keys import --config PATH --from FILE`: seeds
// the directory with an existing key file, so that a cluster moving from
// files to the directory keeps its keys (and the AES key that encrypts
// client secrets). An entry that exists already is left alone.
func (a *app) keysImport(ctx context.Context, args []string) error {
	fs := newFlagSet("keys import")
	path := fs.String("config", "", "configuration file (default conf/gatehouse.yaml, env GATEHOUSE_CONFIG)")
	from := fs.String("from", "", "the JWK set file to import")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usageError("keys import: --from FILE is required")
	}
	set, err := keyset.Load(*from)
	if err != nil {
		return asUsage(err)
	}
	return a.withKeyStore(ctx, *path, func(_ *conf.Config, store *keyStore) error {
		if store.shared == nil {
			return usageError("keys import: keys.store is not directory; copy the file to keys.file instead")
		}
		_, err := store.shared.Update(ctx, func(old *keyset.Set) (*keyset.Set, error) {
			if old != nil {
				return nil, usageError("keys import: %s holds a key set already; use keys rotate", store.where())
			}
			return set, nil
		})
		if err != nil {
			return err
		}
		a.reportKeys("imported into", store.where(), set)
		return nil
	})
}

// keysKEK is `gatehouse keys kek`: prints a new key-encryption key.
func (a *app) keysKEK(args []string) error {
	if err := parseFlags(newFlagSet("keys kek"), args); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, keyset.NewKEK())
	return nil
}

// withKeyStore loads the configuration and opens its key store (and the
// directory, for keys.store: directory).
func (a *app) withKeyStore(ctx context.Context, configPath string, fn func(*conf.Config, *keyStore) error) error {
	cfg, err := conf.Load(a.configPath(configPath))
	if err != nil {
		return asUsage(err)
	}
	if cfg.Keys.Store != conf.KeysStoreDirectory {
		return fn(cfg, &keyStore{cfg: cfg})
	}
	log, err := newLogger(a.stderr, conf.Log{Level: "warn", Format: cfg.Log.Format})
	if err != nil {
		return asUsage(err)
	}
	if len(cfg.LDAP.URLs) == 0 {
		return usageError("keys: keys.store directory needs ldap.urls (the embedded directory lives only inside gatehouse serve)")
	}
	dir, err := openDirectory(cfg.LDAP, log, nil)
	if err != nil {
		return err
	}
	defer dir.Close()
	store, err := openKeyStore(cfg, dir.pool)
	if err != nil {
		return err
	}
	if err := fn(cfg, store); err != nil {
		var u *usageErr
		if errors.As(err, &u) {
			return err
		}
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

// keyIDOf names the RSA key of a fresh set, whose schedule stands for all.
func keyIDOf(set *keyset.Set) string {
	ids := set.KeyIDs()
	return ids[0]
}
