package main

import (
	"errors"
	"fmt"
	"io/fs"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

func (a *app) keys(args []string) error {
	if len(args) == 0 || args[0] != "generate" {
		return usageError("keys: the only subcommand is generate")
	}
	fs := newFlagSet("keys generate")
	out := fs.String("out", "", "file to write the JWK set to")
	rotate := fs.Bool("rotate", false, "add new signing keys in front of those in --out")
	auditOut := fs.String("audit", "", "audit log to record a rotation in (a path, or stdout)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *out == "" {
		return usageError("keys generate: --out FILE is required")
	}
	fresh, err := keyset.Generate()
	if err != nil {
		return err
	}
	if *rotate {
		return a.rotateKeys(*out, fresh, *auditOut)
	}
	if err := keyset.Create(*out, fresh); err != nil {
		if errors.Is(err, keyset.ErrExists) {
			return usageError("keys generate: %s exists; use --rotate to add new signing keys to it", *out)
		}
		return err
	}
	a.reportKeys("wrote", *out, fresh)
	return nil
}

func (a *app) rotateKeys(path string, fresh *keyset.Set, auditOut string) error {
	old, err := keyset.Load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return usageError("keys generate --rotate: %s does not exist", path)
		}
		return asUsage(err)
	}
	if err := keyset.Replace(path, old.Rotate(fresh)); err != nil {
		return err
	}
	if err := a.auditKeyRotation(auditOut, path, fresh); err != nil {
		return err
	}
	a.reportKeys("rotated", path, fresh)
	fmt.Fprintln(a.stdout, "the new keys sign after the next restart; the old ones stay published")
	return nil
}

func (a *app) reportKeys(verb, path string, set *keyset.Set) {
	rsaKey, _ := set.SigningKey(jose.RS256)
	ecKey, _ := set.SigningKey(jose.ES256)
	edKey, _ := set.SigningKey(jose.EdDSA)
	fmt.Fprintf(a.stdout, "%s %s: RSA signing key %s, EC P-256 signing key %s, Ed25519 signing key %s\n",
		verb, path, rsaKey.KeyID, ecKey.KeyID, edKey.KeyID)
}
