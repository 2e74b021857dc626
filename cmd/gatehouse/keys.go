package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

func (a *app) keys(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError("keys: want a subcommand: generate, rotate, import or kek")
	}
	switch args[0] {
	case "generate":
		return a.keysGenerate(args[1:])
	case "rotate":
		return a.keysRotate(ctx, args[1:])
	case "import":
		return a.keysImport(ctx, args[1:])
	case "kek":
		return a.keysKEK(args[1:])
	}
	return usageError("keys: unknown subcommand %q (generate, rotate, import, kek)", args[0])
}

func (a *app) keysGenerate(args []string) error {
	fs := newFlagSet("keys generate")
	out := fs.String("out", "", "file to write the JWK set to")
	rotate := fs.Bool("rotate", false, "add new signing keys in front of those in --out")
	auditOut := fs.String("audit", "", "audit log to record a rotation in (a path, or stdout)")
	if err := parseFlags(fs, args); err != nil {
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
	// Pre-published as `keys rotate` does by default: a running server
	// reads the file again within keys.refreshInterval.
	sc := keyset.Schedule{PrePublication: defaultPrePublication}
	if err := keyset.Replace(path, old.RotateAt(fresh, sc)); err != nil {
		return err
	}
	if err := a.auditKeyRotation(auditOut, path, fresh); err != nil {
		return err
	}
	a.reportKeys("rotated", path, fresh)
	fmt.Fprintf(a.stdout, "the new keys sign from %s; the old ones stay published\n",
		time.Now().Add(sc.PrePublication).UTC().Format(time.RFC3339))
	return nil
}

func (a *app) reportKeys(verb, path string, set *keyset.Set) {
	rsaKey, _ := set.SigningKey(jose.RS256)
	ecKey, _ := set.SigningKey(jose.ES256)
	edKey, _ := set.SigningKey(jose.EdDSA)
	fmt.Fprintf(a.stdout, "%s %s: RSA signing key %s, EC P-256 signing key %s, Ed25519 signing key %s\n",
		verb, path, rsaKey.KeyID, ecKey.KeyID, edKey.KeyID)
}
