package conf

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// externalYAML is a valid configuration for an external directory whose bind
// password source is given by the ldap lines in extra.
func externalYAML(extra string) string {
	return "issuer: https://idp.example.com\nldap:\n  urls: [ldaps://ldap.example.com]\n" + extra
}

func writeSecret(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBindPasswordFromFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{name: "trailing newline removed", content: "s3cret\n", want: "s3cret"},
		{name: "trailing CR-LF removed", content: "s3cret\r\n", want: "s3cret"},
		{name: "no trailing newline", content: "s3cret", want: "s3cret"},
		{name: "only one newline removed", content: "s3cret\n\n", want: "s3cret\n"},
		{name: "lone CR kept", content: "s3cret\r", want: "s3cret\r"},
		{name: "surrounding spaces kept", content: " s3 cret \n", want: " s3 cret "},
		{name: "dollar signs not expanded", content: "pa$$w0rd$HOME${USER}\n", want: "pa$$w0rd$HOME${USER}"},
		{name: "Argon2 hash not expanded", content: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA\n", want: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeSecret(t, tc.content)
			cfg, err := Parse([]byte(externalYAML("  bindPasswordFile: "+strconv.Quote(path)+"\n")), "x.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if cfg.LDAP.BindPassword != tc.want {
				t.Errorf("BindPassword = %q, want %q", cfg.LDAP.BindPassword, tc.want)
			}
		})
	}
}

func TestBindPasswordFileRelativeToWorkingDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ldap-password"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	cfg, err := Parse([]byte(externalYAML("  bindPasswordFile: ldap-password\n")), "elsewhere/x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LDAP.BindPassword != "s3cret" {
		t.Errorf("BindPassword = %q, want s3cret", cfg.LDAP.BindPassword)
	}
}

func TestBindPasswordFromEnvironment(t *testing.T) {
	const name = "GATEHOUSE_TEST_LDAP_PASSWORD"
	t.Setenv(name, "env$ecret$HOME")
	cfg, err := Parse([]byte(externalYAML("  bindPasswordEnv: "+name+"\n")), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LDAP.BindPassword != "env$ecret$HOME" {
		t.Errorf("BindPassword = %q, want the variable's value unexpanded", cfg.LDAP.BindPassword)
	}
}

func TestRedisPasswordFromEnvironment(t *testing.T) {
	const name = "GATEHOUSE_TEST_REDIS_PASSWORD"
	t.Setenv(name, "redis$ecret")
	src := minimalYAML + "sessions:\n  store: redis\n  redis: {addrs: [127.0.0.1:6379], passwordEnv: " + name + "}\n"
	cfg, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sessions.Redis.Password != "redis$ecret" {
		t.Errorf("Redis.Password = %q, want redis$ecret", cfg.Sessions.Redis.Password)
	}
}

func TestRedisPasswordFromFileAndSentinelPassword(t *testing.T) {
	file := filepath.Join(t.TempDir(), "redis-password")
	if err := os.WriteFile(file, []byte("file$ecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const sentinelEnv = "GATEHOUSE_TEST_SENTINEL_PASSWORD"
	t.Setenv(sentinelEnv, "sentinel$ecret")
	src := minimalYAML + "sessions:\n  store: redis\n  redis:\n    passwordFile: " + file +
		"\n    sentinel: {masterName: mymaster, addrs: [127.0.0.1:26379], passwordEnv: " + sentinelEnv + "}\n"
	cfg, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r := cfg.Sessions.Redis; r.Password != "file$ecret" || r.Sentinel.Password != "sentinel$ecret" {
		t.Errorf("Redis.Password = %q, Sentinel.Password = %q", r.Password, r.Sentinel.Password)
	}
}

// unsetenv removes name from the environment for the rest of the test.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // registers the restore
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}

func TestUnresolvableSecrets(t *testing.T) {
	const (
		envName = "GATEHOUSE_TEST_SECRET"
		secret  = "must-not-leak"
	)
	missingFile := filepath.Join(t.TempDir(), "absent")
	emptyFile := writeSecret(t, "\n")
	secretFile := writeSecret(t, secret+"\n")

	tests := []struct {
		name string
		env  *string // value of envName; nil leaves it unset
		yaml string
		want string
	}{
		{
			name: "missing file",
			yaml: externalYAML("  bindPasswordFile: " + strconv.Quote(missingFile) + "\n"),
			want: `x.yaml: ldap.bindPasswordFile: cannot read "` + missingFile + `": no such file or directory`,
		},
		{
			name: "empty file",
			yaml: externalYAML("  bindPasswordFile: " + strconv.Quote(emptyFile) + "\n"),
			want: `x.yaml: ldap.bindPasswordFile: file "` + emptyFile + `" is empty`,
		},
		{
			name: "unset variable",
			yaml: externalYAML("  bindPasswordEnv: " + envName + "\n"),
			want: "x.yaml: ldap.bindPasswordEnv: environment variable " + envName + " is not set",
		},
		{
			name: "empty variable",
			env:  new(""),
			yaml: externalYAML("  bindPasswordEnv: " + envName + "\n"),
			want: "x.yaml: ldap.bindPasswordEnv: environment variable " + envName + " is empty",
		},
		{
			name: "unset redis variable",
			yaml: minimalYAML + "sessions: {store: redis, redis: {addrs: [127.0.0.1:6379], passwordEnv: " + envName + "}}\n",
			want: "x.yaml: sessions.redis.passwordEnv: environment variable " + envName + " is not set",
		},
		{
			name: "both file and variable",
			env:  new(secret),
			yaml: externalYAML("  bindPasswordFile: " + strconv.Quote(secretFile) + "\n  bindPasswordEnv: " + envName + "\n"),
			want: "x.yaml: ldap.bindPasswordFile: cannot be used together with ldap.bindPasswordEnv (set only one)",
		},
		{
			name: "resolved secret with another problem",
			yaml: externalYAML("  bindPasswordFile: "+strconv.Quote(secretFile)+"\n") + "log: {level: loud}\n",
			want: `x.yaml: log.level: must be one of debug, info, warn or error, not "loud"`,
		},
		{
			name: "validation and secret problems together",
			yaml: externalYAML("  bindPasswordEnv: "+envName+"\n") + "log: {level: loud}\n",
			want: `x.yaml: log.level: must be one of debug, info, warn or error, not "loud"; ` +
				"ldap.bindPasswordEnv: environment variable " + envName + " is not set",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == nil {
				unsetenv(t, envName)
			} else {
				t.Setenv(envName, *tc.env)
			}
			cfg, err := Parse([]byte(tc.yaml), "x.yaml")
			if cfg != nil {
				t.Errorf("Parse returned a config along with the error")
			}
			var validationErr *ValidationError
			if !errors.As(err, &validationErr) {
				t.Fatalf("Parse error = %v (%T), want a *ValidationError", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse error\n got: %s\nwant: %s", got, tc.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Parse error reveals the secret: %s", err)
			}
		})
	}
}

// TestNoVariableExpansion: values are taken literally everywhere; only the
// ...File and ...Env keys read secrets.
func TestNoVariableExpansion(t *testing.T) {
	t.Setenv("GATEHOUSE_TEST_EXPANDED", "expanded")
	src := minimalYAML + `ldap:
  bindDN: cn=$GATEHOUSE_TEST_EXPANDED,dc=example,dc=org
templates:
  dir: ${GATEHOUSE_TEST_EXPANDED}/templates
`
	cfg, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LDAP.BindDN != "cn=$GATEHOUSE_TEST_EXPANDED,dc=example,dc=org" {
		t.Errorf("ldap.bindDN = %q, want it as written", cfg.LDAP.BindDN)
	}
	if cfg.Templates.Dir != "${GATEHOUSE_TEST_EXPANDED}/templates" {
		t.Errorf("templates.dir = %q, want it as written", cfg.Templates.Dir)
	}
}
