package conf

import (
	"strings"
	"testing"
	"time"
)

func TestValidateKeys(t *testing.T) {
	directory := func(c *Config) {
		c.Keys.Store = KeysStoreDirectory
		c.Keys.Directory.KEKEnv = "GATEHOUSE_KEK"
	}
	runValidationCases(t, []validationCase{
		{name: "file store by default", change: func(*Config) {}},
		{name: "directory store with a KEK", change: directory},
		{name: "directory store needs no file", change: func(c *Config) { directory(c); c.Keys.File = "" }},
		{name: "unknown store", change: func(c *Config) { c.Keys.Store = "vault" },
			want: []string{`keys.store: must be one of file or directory, not "vault"`}},
		{name: "directory store without a KEK", change: func(c *Config) { directory(c); c.Keys.Directory.KEKEnv = "" },
			want: []string{"keys.directory.kekFile: keys.store directory needs a key-encryption key: set keys.directory.kekFile or keys.directory.kekEnv"}},
		{name: "two KEK sources", change: func(c *Config) { directory(c); c.Keys.Directory.KEKFile = "kek" },
			want: []string{"keys.directory.kekFile: set keys.directory.kekFile or keys.directory.kekEnv, not both"}},
		{name: "bad DN", change: func(c *Config) { directory(c); c.Keys.Directory.DN = "cn=x,,dc=y" },
			want: []string{"keys.directory.dn: is not a valid DN: incomplete type, value pair"}},
		{name: "no refresh", change: func(c *Config) { c.Keys.RefreshInterval = 0 },
			want: []string{"keys.refreshInterval: must be positive, not 0s"}},
		{name: "pre-publication shorter than a refresh", change: func(c *Config) { c.Keys.PrePublication = 30 * time.Second },
			want: []string{"keys.prePublication: must be at least keys.refreshInterval (1m0s), not 30s"}},
	})
}

func TestKEKFromFileIsChecked(t *testing.T) {
	tests := []struct {
		name, content, wantErr string
	}{
		{name: "32 bytes", content: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n"},
		{name: "too short", content: "c2hvcnQ=\n", wantErr: "keys.directory.kekFile: the key-encryption key must be 32 bytes in base64"},
		{name: "not base64", content: "!!!\n", wantErr: "keys.directory.kekFile: the key-encryption key must be 32 bytes in base64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeSecret(t, tc.content)
			cfg, err := Parse([]byte(externalYAML("  bindPasswordEnv: PATH\nkeys:\n  store: directory\n  directory: {kekFile: "+path+"}\n")), "test.yaml")
			if tc.wantErr == "" {
				if err != nil || cfg.Keys.Directory.KEK != strings.TrimSpace(tc.content) {
					t.Fatalf("Parse: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Parse error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), strings.TrimSpace(tc.content)) {
				t.Error("the error shows the key")
			}
		})
	}
}

func TestDerivedKeySettings(t *testing.T) {
	c := defaults()
	if got := c.KeysDN(); got != "cn=gatehouse-keys,dc=example,dc=org" {
		t.Errorf("KeysDN = %q", got)
	}
	if got := c.JWKSMaxAge(); got != 270*time.Second {
		t.Errorf("JWKSMaxAge = %s, want 4m30s", got)
	}
	c.Keys.PrePublication = c.Keys.RefreshInterval
	if got := c.JWKSMaxAge(); got >= 0 {
		t.Errorf("JWKSMaxAge without slack = %s, want negative (max-age=0)", got)
	}
}
