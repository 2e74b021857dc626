package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseReportsShapeProblemsWithPathAndLine(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{
			name: "unknown top-level key",
			yaml: "issuer: http://127.0.0.1:8080\nisuer: http://127.0.0.1:8080\n",
			want: `x.yaml:2: unknown key "isuer"`,
		},
		{
			name: "unknown nested key",
			yaml: "ldap:\n  users:\n    fliter: (uid={username})\n",
			want: `x.yaml:3: unknown key "ldap.users.fliter"`,
		},
		{
			name: "resolved secret has no key",
			yaml: "ldap:\n  bindPassword: hunter2\n",
			want: `x.yaml:2: unknown key "ldap.bindPassword"`,
		},
		{
			name: "keys are case-sensitive",
			yaml: "ldap:\n  BindDN: cn=admin,dc=example,dc=org\n",
			want: `x.yaml:2: unknown key "ldap.BindDN"`,
		},
		{
			name: "unparsable duration",
			yaml: "ldap:\n  timeout: abc\n",
			want: `x.yaml:2: ldap.timeout: cannot use "abc" as a duration`,
		},
		{
			name: "duration without unit",
			yaml: "sessions:\n  lifetime: 5\n",
			want: `x.yaml:2: sessions.lifetime: cannot use 5 as a duration (durations need a unit, e.g. "5s")`,
		},
		{
			name: "mapping where a list is expected",
			yaml: "ldap:\n  urls: {primary: ldaps://ldap.example.com}\n",
			want: `x.yaml:2: ldap.urls: expected a list, found a mapping`,
		},
		{
			name: "list where a string is expected",
			yaml: "issuer: [https://idp.example.com]\n",
			want: `x.yaml:1: issuer: expected a string, found a list`,
		},
		{
			name: "string where a mapping is expected",
			yaml: "ldap: ldaps://ldap.example.com\n",
			want: `x.yaml:1: ldap: expected a mapping, found "ldaps://ldap.example.com"`,
		},
		{
			name: "string where a number is expected",
			yaml: "ldap:\n  poolSize: many\n",
			want: `x.yaml:2: ldap.poolSize: cannot use "many" as a whole number`,
		},
		{
			name: "number out of range",
			yaml: "op:\n  secrets:\n    argon2id:\n      parallelism: 300\n",
			want: `x.yaml:4: op.secrets.argon2id.parallelism: cannot use 300 as a whole number from 0 to 255`,
		},
		{
			name: "negative unsigned number",
			yaml: "op:\n  secrets:\n    argon2id:\n      memoryKiB: -1\n",
			want: `x.yaml:4: op.secrets.argon2id.memoryKiB: cannot use -1 as a whole number from 0 to 4294967295`,
		},
		{
			name: "not a boolean",
			yaml: "ldap:\n  startTLS: sometimes\n",
			want: `x.yaml:2: ldap.startTLS: cannot use "sometimes" as a boolean (true or false)`,
		},
		{
			name: "list item of the wrong type",
			yaml: "ldap:\n  urls:\n    - ldaps://a.example.com\n    - {host: b}\n",
			want: `x.yaml:4: ldap.urls[1]: expected a string, found a mapping`,
		},
		{
			name: "map value of the wrong type",
			yaml: "ldap:\n  users:\n    claims:\n      email: [mail]\n",
			want: `x.yaml:4: ldap.users.claims.email: expected a string, found a list`,
		},
		{
			name: "long value is cut short",
			yaml: "log:\n  level: [x]\n  format: {a: b}\nldap:\n  timeout: " + strings.Repeat("a", 50) + "\n",
			want: `x.yaml:2: log.level: expected a string, found a list; ` +
				`x.yaml:3: log.format: expected a string, found a mapping; ` +
				`x.yaml:5: ldap.timeout: cannot use "` + strings.Repeat("a", 40) + `…" as a duration`,
		},
		{
			name: "duplicate key",
			yaml: "log:\n  level: info\n  level: debug\n",
			want: `x.yaml:3: duplicate key "log.level" (first set on line 2)`,
		},
		{
			name: "document is not a mapping",
			yaml: "just some text\n",
			want: `x.yaml:1: the top level: expected a mapping, found "just some text"`,
		},
		{
			name: "key is not a string",
			yaml: "? [a]\n: b\n",
			want: `x.yaml:1: the top level: keys must be plain strings, found a list`,
		},
		{
			name: "unknown key brought in by a merge",
			yaml: "log: &shared {level: info}\nsessions:\n  <<: *shared\n",
			want: `x.yaml:1: unknown key "sessions.level"`,
		},
		{
			name: "mapping that merges itself",
			yaml: "log: &self {<<: *self}\n",
			want: `x.yaml:1: log: a merge (<<) refers to a mapping that contains it`,
		},
		{
			name: "alias to a list inside itself",
			yaml: "ldap:\n  urls: &urls [*urls]\n",
			want: `x.yaml:2: ldap.urls[0]: expected a string, found a list`,
		},
		{
			name: "several shape problems at once",
			yaml: "ldap:\n  users:\n    fliter: x\n  timeout: abc\nfoo: 1\n",
			want: `x.yaml:3: unknown key "ldap.users.fliter"; x.yaml:4: ldap.timeout: cannot use "abc" as a duration; x.yaml:5: unknown key "foo"`,
		},
		{
			name: "malformed YAML",
			yaml: "issuer: http://127.0.0.1:8080\nlisten: 127.0.0.1:8080\nlog: level: info\n",
			want: `x.yaml:3: mapping values are not allowed in this context`,
		},
		{
			name: "tab indentation",
			yaml: "log:\n\tlevel: info\n",
			want: `x.yaml:2: found character that cannot start any token`,
		},
		{
			name: "YAML error without a line",
			yaml: "log: *nowhere\n",
			want: `x.yaml: unknown anchor 'nowhere' referenced`,
		},
		{
			name: "two documents",
			yaml: "issuer: http://127.0.0.1:8080\n---\nlog: {level: info}\n",
			want: `x.yaml:2: only one YAML document is allowed`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.yaml), "x.yaml")
			if cfg != nil {
				t.Errorf("Parse returned a config along with the error")
			}
			var decodeErr *DecodeError
			if !errors.As(err, &decodeErr) {
				t.Fatalf("Parse error = %v (%T), want a *DecodeError", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse error\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

func TestDecodeErrorFields(t *testing.T) {
	_, err := Parse([]byte("issuer: http://127.0.0.1:8080\nldap:\n  users:\n    fliter: x\n"), "conf/x.yaml")
	var decodeErr *DecodeError
	if !errors.As(err, &decodeErr) {
		t.Fatalf("Parse error = %v, want a *DecodeError", err)
	}
	want := LineProblem{Line: 4, Path: "ldap.users.fliter", Text: `unknown key "ldap.users.fliter"`}
	if decodeErr.File != "conf/x.yaml" || len(decodeErr.Problems) != 1 || decodeErr.Problems[0] != want {
		t.Errorf("DecodeError = %+v, want File conf/x.yaml and the single problem %+v", decodeErr, want)
	}
	if got, wantText := err.Error(), `conf/x.yaml:4: unknown key "ldap.users.fliter"`; got != wantText {
		t.Errorf("Error() = %s, want %s", got, wantText)
	}
}

func TestParseEmptyDocumentIsAllDefaults(t *testing.T) {
	tests := []struct {
		name string
		yaml string
	}{
		{name: "empty file", yaml: ""},
		{name: "only comments", yaml: "# nothing yet\n\n# still nothing\n"},
		{name: "explicit null", yaml: "~\n"},
		{name: "bare document marker", yaml: "---\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml), "x.yaml")
			// Everything has a default except the issuer, so that is the only problem.
			var validationErr *ValidationError
			if !errors.As(err, &validationErr) {
				t.Fatalf("Parse error = %v, want a *ValidationError", err)
			}
			if got, want := err.Error(), "x.yaml: issuer: is required"; got != want {
				t.Errorf("Parse error = %s, want %s", got, want)
			}
		})
	}
}

func TestParseAcceptsAnchorsAndMerges(t *testing.T) {
	src := `issuer: http://127.0.0.1:8080
ldap:
  clients: &base {baseDN: "ou=apps,dc=example,dc=org"}
  authorizations: *base
sessions:
  <<: {store: memory, lifetime: 2h}
  lifetime: 1h
`
	cfg, err := Parse([]byte(src), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.LDAP.Authorizations.BaseDN; got != "ou=apps,dc=example,dc=org" {
		t.Errorf("ldap.authorizations.baseDN = %q, want the aliased value", got)
	}
	// Own entries override merged ones, as YAML specifies.
	if cfg.Sessions.Store != "memory" || cfg.Sessions.Lifetime != time.Hour {
		t.Errorf("sessions = %+v, want store memory and lifetime 1h", cfg.Sessions)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	t.Run("valid file", func(t *testing.T) {
		cfg, err := Load(write("ok.yaml", "issuer: https://idp.example.com\n"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Issuer != "https://idp.example.com" {
			t.Errorf("issuer = %q", cfg.Issuer)
		}
	})
	t.Run("messages name the file", func(t *testing.T) {
		path := write("bad.yaml", "issuer: https://idp.example.com\nlog:\n  levle: info\n")
		_, err := Load(path)
		if want := path + `:3: unknown key "log.levle"`; err == nil || err.Error() != want {
			t.Errorf("Load error = %v, want %s", err, want)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(dir, "missing.yaml")
		_, err := Load(path)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load error = %v, want one wrapping fs.ErrNotExist", err)
		}
		if want := "reading configuration: open " + path + ": no such file or directory"; err == nil || err.Error() != want {
			t.Errorf("Load error = %v, want %s", err, want)
		}
	})
}

// TestParseStopsAliasExpansion: each level merges the one before ten times,
// so walking the last would visit ten million mappings.
func TestParseStopsAliasExpansion(t *testing.T) {
	var b strings.Builder
	b.WriteString("m0: &m0 {level: info}\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "m%d: &m%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d, ", i-1), 10), ", "))
	}
	b.WriteString("log: {<<: *m7}\n")

	_, err := Parse([]byte(b.String()), "x.yaml")
	const want = "x.yaml:2: log: the document expands to too many values (check its aliases)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Parse error = %v, want it to include %s", err, want)
	}
}
