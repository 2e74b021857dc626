package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

// TestKeysRotateFileStore: `keys rotate --config` on the file store adds
// pre-published keys, gives the old ones an end and records the audit
// event; the other subcommands answer usage errors clearly.
func TestKeysRotateFileStore(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "jwks.json")
	auditLog := filepath.Join(dir, "audit.log")
	config := writeFile(t, dir, "gatehouse.yaml", "issuer: http://127.0.0.1:8080\nkeys: {file: "+keyFile+
		", prePublication: 5m}\naudit: {output: "+auditLog+"}\n")
	if r := runCmd(t, "keys", "generate", "--out", keyFile); r.code != exitOK {
		t.Fatalf("generate: %s", r.stderr)
	}
	old, err := keyset.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	oldRSA, _ := old.SigningKey(jose.RS256)

	r := runCmd(t, "keys", "rotate", "--config", config)
	if r.code != exitOK || !strings.Contains(r.stdout, "sign from") {
		t.Fatalf("rotate: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	rotated, err := keyset.Load(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rotated.KeyIDs()); got != 6 {
		t.Fatalf("%d signing keys after rotation, want 6", got)
	}
	if now, _ := rotated.SigningKey(jose.RS256); now.KeyID != oldRSA.KeyID {
		t.Error("the new key signs before its pre-publication is over")
	}
	newRSA := rotated.KeyIDs()[0]
	if in := time.Until(rotated.Schedule(newRSA).SignsFrom); in < 4*time.Minute || in > 5*time.Minute {
		t.Errorf("the new key signs in %s, want about 5m (keys.prePublication)", in)
	}
	if rotated.Schedule(oldRSA.KeyID).PublishedUntil.IsZero() {
		t.Error("the old key was given no end of publication")
	}
	raw, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw[:strings.IndexByte(string(raw), '\n')], &ev); err != nil ||
		!strings.Contains(string(raw), newRSA) || ev["actor"] != "gatehouse keys rotate" {
		t.Errorf("audit log: %s", raw)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "import needs --from", args: []string{"keys", "import", "--config", config}, want: "--from FILE is required"},
		{name: "import into a file store", args: []string{"keys", "import", "--config", config, "--from", keyFile}, want: "keys.store is not directory"},
		{name: "unknown subcommand", args: []string{"keys", "shred"}, want: `unknown subcommand "shred"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if r := runCmd(t, tc.args...); r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("code %d, stderr %q, want %q", r.code, r.stderr, tc.want)
			}
		})
	}
	r = runCmd(t, "keys", "kek")
	if _, err := keyset.ParseKEK(r.stdout); r.code != exitOK || err != nil {
		t.Errorf("keys kek: %q %v", r.stdout, err)
	}
}
