package conf

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The tests run in the package directory, so the shipped files are right here.

func TestDevConfigLoads(t *testing.T) {
	// The dev configuration names its files relative to the repository,
	// where make run starts.
	t.Chdir("..")
	cfg, err := Load("conf/gatehouse.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("dev-master-token"))
	checks := []struct {
		name      string
		got, want string
	}{
		{name: "issuer", got: cfg.Issuer, want: "http://127.0.0.1:8080"},
		{name: "listen", got: cfg.Listen, want: "127.0.0.1:8080"},
		{name: "embedded seed", got: cfg.LDAP.Embedded.Seed, want: "conf/dev-directory.ldif"},
		{name: "embedded data", got: cfg.LDAP.Embedded.Data, want: "var/directory.ldif"},
		{name: "embedded listen", got: cfg.LDAP.Embedded.Listen, want: "127.0.0.1:3389"},
		{name: "session store", got: cfg.Sessions.Store, want: "memory"},
		{name: "keys file", got: cfg.Keys.File, want: "var/jwks.json"},
		{name: "master token hash", got: cfg.OP.Reg.MasterTokenSHA256, want: hex.EncodeToString(sum[:])},
		{name: "group filter", got: cfg.LDAP.Users.Groups.Filter, want: "(member={dn})"},
		{name: "group base DN", got: cfg.LDAP.Users.Groups.BaseDN, want: "ou=groups,dc=example,dc=org"},
		{name: "demo enabled", got: strconv.FormatBool(cfg.Demo.Enabled), want: "true"},
		{name: "demo client", got: cfg.Demo.ClientID, want: "demo-rp"},
		{name: "demo secret", got: cfg.Demo.ClientSecret, want: "demo-rp-secret"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
	if len(cfg.LDAP.URLs) != 0 {
		t.Errorf("ldap.urls = %q, want none (the embedded directory)", cfg.LDAP.URLs)
	}
}

func TestProductionExampleLoads(t *testing.T) {
	const passwordPath = "/etc/gatehouse/ldap-password"
	data, err := os.ReadFile("production.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Point the bind password file at a temporary one; everything else is
	// checked exactly as shipped.
	if n := strings.Count(string(data), passwordPath); n != 1 {
		t.Fatalf("production.example.yaml mentions %s %d times, want once", passwordPath, n)
	}
	password := filepath.Join(t.TempDir(), "ldap-password")
	if err := os.WriteFile(password, []byte("ldap-s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.Replace(string(data), passwordPath, strconv.Quote(password), 1))
	t.Setenv("GATEHOUSE_REDIS_PASSWORD", "redis-s3cret")

	cfg, err := Parse(data, "production.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LDAP.BindPassword != "ldap-s3cret" || cfg.Sessions.Redis.Password != "redis-s3cret" {
		t.Errorf("secrets = %q and %q, want both resolved", cfg.LDAP.BindPassword, cfg.Sessions.Redis.Password)
	}
	if len(cfg.LDAP.URLs) != 2 || !strings.HasPrefix(cfg.Issuer, "https://") || cfg.Sessions.Store != "redis" {
		t.Errorf("config = %+v, want two LDAP URLs, an https issuer and redis sessions", cfg)
	}
	if cfg.OP.TLS.ClientX509CertHeader == "" || !slices.Contains(cfg.OP.Token.AuthMethods, "tls_client_auth") {
		t.Errorf("want tls_client_auth with certificates from a proxy header")
	}
	if cfg.Log.Format != "json" {
		t.Errorf("log.format = %q, want json", cfg.Log.Format)
	}
}

func TestProductionExampleNeedsItsSecrets(t *testing.T) {
	unsetenv(t, "GATEHOUSE_REDIS_PASSWORD")
	data, err := os.ReadFile("production.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "ldap-password")
	data = []byte(strings.Replace(string(data), "/etc/gatehouse/ldap-password", missing, 1))
	_, err = Parse(data, "production.example.yaml")
	want := `production.example.yaml: ldap.bindPasswordFile: cannot read "` + missing + `": no such file or directory; ` +
		"sessions.redis.passwordEnv: environment variable GATEHOUSE_REDIS_PASSWORD is not set"
	if err == nil || err.Error() != want {
		t.Errorf("Parse error = %v, want %s", err, want)
	}
}
