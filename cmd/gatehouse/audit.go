package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

// auditStdout is the audit.output value that writes to standard output.
const auditStdout = "stdout"

// openAudit opens the audit log: nothing for "", standard output, or a
// file appended to (created 0600: it names people and addresses). The
// returned close is never nil.
func (a *app) openAudit(output string, log *slog.Logger) (audit.Recorder, func(), error) {
	switch output {
	case "":
		return nil, func() {}, nil
	case auditStdout:
		return audit.NewWriter(a.stdout, log), func() {}, nil
	}
	f, err := os.OpenFile(output, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, asUsage(fmt.Errorf("audit.output: %w", err))
	}
	return audit.NewWriter(f, log), func() { _ = f.Close() }, nil
}

// auditKeyRotation records in the audit log at output (a path, or stdout)
// that the key file now signs with fresh's keys. Nothing is recorded for
// an empty output.
func (a *app) auditKeyRotation(output, keyFile string, fresh *keyset.Set) error {
	return a.recordKeyRotation(output, fresh, "gatehouse keys generate --rotate",
		"new signing keys in "+keyFile+"; they are published at once and sign after the pre-publication period")
}

// recordKeyRotation records a key rotation by actor in the audit log at
// output; nothing for an empty output.
func (a *app) recordKeyRotation(output string, fresh *keyset.Set, actor, detail string) error {
	rec, closeLog, err := a.openAudit(output, nil)
	if err != nil || rec == nil {
		return err
	}
	defer closeLog()
	var kids []string
	for _, k := range fresh.Public().Keys {
		kids = append(kids, k.KeyID)
	}
	rec.Record(context.Background(), audit.Event{Type: audit.TypeKeyRotation, KeyIDs: kids, Actor: actor, Detail: detail})
	return nil
}
