package keyset

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func TestLoadOrCreateWritesPrivateFileOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "var", "jwks.json")

	first, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created=%v err=%v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %04o, want 0600", perm)
	}
	second, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created=%v err=%v", created, err)
	}
	if kidOf(t, first, jose.RS256) != kidOf(t, second, jose.RS256) {
		t.Error("second start generated new keys instead of loading the file")
	}
	if string(first.SecretKey()) != string(second.SecretKey()) {
		t.Error("secret key changed between starts")
	}
}

func TestGeneratedSetHasEveryKind(t *testing.T) {
	set, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256} {
		if _, ok := set.SigningKey(alg); !ok {
			t.Errorf("no signing key for %s", alg)
		}
	}
	if _, ok := set.SigningKey(jose.ES384); ok {
		t.Error("a P-256 key was offered for ES384")
	}
	if n := len(set.SecretKey()); n != 32 {
		t.Errorf("secret key has %d bytes, want 32", n)
	}
}

func TestPublicHoldsNoSecrets(t *testing.T) {
	set, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(set.Public())
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	if len(parsed.Keys) != 3 {
		t.Fatalf("published %d keys, want the 3 signing keys", len(parsed.Keys))
	}
	for _, k := range parsed.Keys {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("published key %v carries private member %q", k["kid"], private)
			}
		}
		if k["kid"] == "" || k["kid"] == nil {
			t.Error("published key without kid")
		}
	}
}

func TestRotateSignsWithNewestAndKeepsOld(t *testing.T) {
	old, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	rotated := old.Rotate(fresh)
	if kidOf(t, rotated, jose.RS256) != kidOf(t, fresh, jose.RS256) {
		t.Error("rotated set does not sign with the new RSA key")
	}
	if got := len(rotated.Public().Keys); got != 6 {
		t.Errorf("rotated set publishes %d keys, want 6", got)
	}
	if string(rotated.SecretKey()) != string(old.SecretKey()) {
		t.Error("rotation replaced the secret-encryption key")
	}
	data, err := rotated.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, again, jose.ES256) != kidOf(t, fresh, jose.ES256) {
		t.Error("file order (newest first) lost in a round trip")
	}
}

func TestLoadRefuses(t *testing.T) {
	good, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	goodJSON, err := good.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	onlyPublic, err := json.Marshal(good.Public())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		wantErr string
	}{
		{name: "world readable", content: string(goodJSON), mode: 0o644, wantErr: "lets other users read it"},
		{name: "not JSON", content: "{keys:", mode: 0o600, wantErr: "malformed JWK set"},
		{name: "empty set", content: `{"keys":[]}`, mode: 0o600, wantErr: "no RSA signing key"},
		{name: "public keys only", content: string(onlyPublic), mode: 0o600, wantErr: "public key without its private part"},
		{name: "missing kid", content: strings.Replace(string(goodJSON), `"kid"`, `"xkid"`, 1), mode: 0o600, wantErr: "has no kid"},
		{name: "no secret key", content: withoutSecret(t, good), mode: 0o600, wantErr: "no 256-bit AES key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "jwks.json")
			if err := os.WriteFile(path, []byte(tc.content), tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil { // umask may have masked bits
				t.Fatal(err)
			}
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Load error = %v, want one containing %q", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jwks.json")
	set, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := Create(path, set); err != nil {
		t.Fatal(err)
	}
	other, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if err := Create(path, other); !errors.Is(err, ErrExists) {
		t.Fatalf("second Create error = %v, want ErrExists", err)
	}
	loaded, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if kidOf(t, loaded, jose.RS256) != kidOf(t, set, jose.RS256) {
		t.Error("file was overwritten")
	}
}

func kidOf(t *testing.T, s *Set, alg jose.SignatureAlgorithm) string {
	t.Helper()
	k, ok := s.SigningKey(alg)
	if !ok {
		t.Fatalf("no key for %s", alg)
	}
	return k.KeyID
}

func withoutSecret(t *testing.T, s *Set) string {
	t.Helper()
	data, err := json.Marshal(jose.JSONWebKeySet{Keys: s.signing})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
