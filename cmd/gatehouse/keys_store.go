package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

// keyStore is where the configuration keeps the key set: the file
// (keys.store: file) or one sealed directory entry (keys.store: directory).
type keyStore struct {
	cfg    *conf.Config
	shared *keyset.Shared // nil for the file
}

// openKeyStore prepares the store keys.store names; the directory store
// needs the pool.
func openKeyStore(cfg *conf.Config, pool *ldapstore.Pool) (*keyStore, error) {
	k := &keyStore{cfg: cfg}
	if cfg.Keys.Store != conf.KeysStoreDirectory {
		return k, nil
	}
	kek, err := keyset.ParseKEK(cfg.Keys.Directory.KEK)
	if err != nil {
		return nil, asUsage(fmt.Errorf("keys.directory: %w", err))
	}
	blobs, err := ldapstore.NewKeySet(pool, cfg.KeysDN())
	if err != nil {
		return nil, asUsage(fmt.Errorf("keys.directory.dn: %w", err))
	}
	k.shared = &keyset.Shared{Blobs: blobs, KEK: kek}
	return k, nil
}

// where names the store for messages.
func (k *keyStore) where() string {
	if k.shared == nil {
		return k.cfg.Keys.File
	}
	return "the directory entry " + k.cfg.KeysDN()
}

// loadAtStart returns the set to serve with, creating one when the store
// has none. A directory that does not answer is waited for, one warning
// and a retry every keys.refreshInterval: an instance without keys cannot
// serve anything, and one with keys of its own would sign tokens that the
// others reject.
func (k *keyStore) loadAtStart(ctx context.Context, log *slog.Logger) (*keyset.Set, error) {
	if k.shared == nil {
		set, created, err := keyset.LoadOrCreate(k.cfg.Keys.File)
		if err != nil {
			return nil, asUsage(fmt.Errorf("keys.file: %w", err))
		}
		if created {
			log.Info("created a new key set", "file", k.cfg.Keys.File)
		}
		return set, nil
	}
	warned := false
	for {
		set, err := k.readOrCreate(ctx, log)
		if !errors.Is(err, storage.ErrUnavailable) {
			return set, err
		}
		if !warned {
			log.Warn("waiting for the directory to read the key set", "dn", k.cfg.KeysDN(), "err", err)
			warned = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(k.cfg.Keys.RefreshInterval):
		}
	}
}

func (k *keyStore) readOrCreate(ctx context.Context, log *slog.Logger) (*keyset.Set, error) {
	set, err := k.shared.Read(ctx)
	if !errors.Is(err, storage.ErrNotFound) {
		if err != nil && !errors.Is(err, storage.ErrUnavailable) {
			return nil, fmt.Errorf("keys: %s: %w", k.where(), err)
		}
		return set, err
	}
	created := false
	set, err = k.shared.Update(ctx, func(old *keyset.Set) (*keyset.Set, error) {
		if old != nil { // another instance was first
			created = false
			return old, nil
		}
		created = true
		return keyset.Generate()
	})
	if err == nil && created {
		log.Info("created a new key set", "dn", k.cfg.KeysDN())
	}
	return set, err
}

// loader is what the refresher reads the store with.
func (k *keyStore) loader() keyset.Loader {
	if k.shared == nil {
		return keyset.NewFileLoader(k.cfg.Keys.File)
	}
	return &keyset.Shared{Blobs: k.shared.Blobs, KEK: k.shared.KEK}
}

// schedule times a rotation by the configuration: new keys are published
// keys.prePublication before they sign; old ones stay published for the
// longest token lifetime after that, plus the clock skew verifiers allow
// and one refresh interval for an instance that read the set late.
func (k *keyStore) schedule() keyset.Schedule {
	c := k.cfg
	return keyset.Schedule{
		PrePublication: c.Keys.PrePublication,
		RetireAfter:    c.MaxTokenLifetime(tokens.DefaultIDTokenLifetime) + tokens.Leeway + c.Keys.RefreshInterval,
	}
}

// rotate adds fresh to the stored set on the configured schedule and
// returns the set written.
func (k *keyStore) rotate(ctx context.Context, fresh *keyset.Set) (*keyset.Set, error) {
	sc := k.schedule()
	if k.shared == nil {
		old, err := keyset.Load(k.cfg.Keys.File)
		if err != nil {
			return nil, asUsage(fmt.Errorf("keys.file: %w", err))
		}
		next := old.RotateAt(fresh, sc)
		return next, keyset.Replace(k.cfg.Keys.File, next)
	}
	return k.shared.Update(ctx, func(old *keyset.Set) (*keyset.Set, error) {
		if old == nil {
			return nil, usageError("keys rotate: %s holds no key set; gatehouse keys import or serve creates it", k.where())
		}
		return old.RotateAt(fresh, sc), nil
	})
}

// startKeys loads the key set and keeps it fresh in the background until
// ctx ends.
func (a *app) startKeys(ctx context.Context, cfg *conf.Config, pool *ldapstore.Pool, log *slog.Logger) (*keyset.Live, error) {
	store, err := openKeyStore(cfg, pool)
	if err != nil {
		return nil, err
	}
	set, err := store.loadAtStart(ctx, log)
	if err != nil {
		return nil, err
	}
	live := keyset.NewLive(set)
	r := &keyset.Refresher{Live: live, Loader: store.loader(), Every: cfg.Keys.RefreshInterval,
		Log: log.With("component", "keys", "store", cfg.Keys.Store)}
	go r.Run(ctx)
	return live, nil
}
