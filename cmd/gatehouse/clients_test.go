package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/registration"
	"github.com/gatehouse-idp/gatehouse/provider/registration/registrationtest"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/secrets/secrettest"
)

// runClients runs "gatehouse clients ARGS" in-process.
func runClients(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := a.exit(a.clients(context.Background(), args))
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// clientsSetup is a configuration file for the clients commands against a
// private OpenLDAP, clients in a subtree of their own, with an existing key
// set; and a registry over the same directory to look at the results.
type clientsSetup struct {
	config string
	reg    *registry
}

func newClientsSetup(t *testing.T) clientsSetup {
	t.Helper()
	slapd := ldaptest.New(t, ldaptest.Options{})
	dn := ldaptest.Subtree(t, slapd.Conn(t), "ou=clients,"+slapd.BaseDN)
	dir := t.TempDir()
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	keysFile := filepath.Join(dir, "jwks.json")
	if err := keyset.Create(keysFile, keys); err != nil {
		t.Fatal(err)
	}
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword+"\n")
	config := writeFile(t, dir, "gatehouse.yaml", fmt.Sprintf(`issuer: %s
keys: {file: %s}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
  clients: {baseDN: "%s"}
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
`, testIssuer, keysFile, slapd.URL, slapd.AdminDN, pwFile, dn, sha256Hex(testMasterToken)))

	cfg, err := conf.Load(config)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: cfg.LDAP.URLs, BindDN: cfg.LDAP.BindDN,
		BindPassword: cfg.LDAP.BindPassword, Size: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	reg, err := newRegistry(cfg, pool, keys)
	if err != nil {
		t.Fatal(err)
	}
	return clientsSetup{config: config, reg: reg}
}

// accepts tells whether the stored client takes secret.
func (s clientsSetup) accepts(t *testing.T, id, secret string) bool {
	t.Helper()
	c, err := s.reg.store.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("client %s: %v", id, err)
	}
	ok, err := s.reg.verifier.CheckClient(t.Context(), c, secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestClientsCommandsOpenLDAP(t *testing.T) {
	s := newClientsSetup(t)
	bcryptPlain, bcryptHash := secrettest.Fixture(t, "bcrypt-htpasswd.txt")
	argonPlain, argonHash := secrettest.Fixture(t, "argon2id-cli.txt")
	file := writeFile(t, t.TempDir(), "clients.json", `[
  {"client_id": "bcrypt-rp", "client_name": "BCrypt RP", `+rpRedirect+`, "preferred_client_secret": "`+bcryptHash+`"},
  {"client_id": "argon-rp", `+rpRedirect+`, "preferred_client_secret": "`+argonHash+`"},
  {"client_id": "exported-rp", `+rpRedirect+`, "token_endpoint_auth_method": "client_secret_post", "client_secret": "plain-from-elsewhere"},
  {"client_id": "bad-rp", "redirect_uris": ["http://rp.example.com/cb"]},
  {"client_name": "Generated", `+rpRedirect+`},
  {"preferred_client_id": "jwt-rp", `+rpRedirect+`, "token_endpoint_auth_method": "client_secret_jwt", "preferred_client_secret": "`+bcryptHash+`"}
]`)

	r := runClients(t, "import", "--config", s.config, file)
	if r.code != exitFailure || !strings.Contains(r.stderr, "2 of 6 failed") {
		t.Errorf("import with failures: code %d, stderr %q", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 6 {
		t.Fatalf("want one line per client, got:\n%s", r.stdout)
	}
	for i, want := range []string{"created bcrypt-rp", "created argon-rp", "created exported-rp",
		"failed bad-rp: redirect_uris: ", "created ", "failed jwt-rp: preferred_client_secret: "} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("line %d = %q, want it to start with %q", i+1, lines[i], want)
		}
	}
	generated := strings.Fields(lines[4])
	if len(generated) != 3 || !strings.HasPrefix(generated[2], "client_secret=") {
		t.Fatalf("the generated secret is not shown: %q", lines[4])
	}
	for id, plain := range map[string]string{
		"bcrypt-rp": bcryptPlain, "argon-rp": argonPlain, "exported-rp": "plain-from-elsewhere",
		generated[1]: strings.TrimPrefix(generated[2], "client_secret="),
	} {
		if !s.accepts(t, id, plain) {
			t.Errorf("%s: the imported secret does not verify", id)
		}
	}

	// Importing again updates; the secret stays.
	again := writeFile(t, t.TempDir(), "again.json", `[{"client_id": "bcrypt-rp", "client_name": "Renamed", `+rpRedirect+`}]`)
	if r := runClients(t, "import", again, "--config", s.config); r.code != exitOK || r.stdout != "updated bcrypt-rp\n" {
		t.Errorf("second import: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if !s.accepts(t, "bcrypt-rp", bcryptPlain) {
		t.Error("the update lost the BCrypt secret")
	}

	r = runClients(t, "list", "--config", s.config)
	if r.code != exitOK || !strings.Contains(r.stdout, "bcrypt-rp\tRenamed\n") || !strings.Contains(r.stdout, generated[1]+"\tGenerated\n") ||
		strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("list: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	r = runClients(t, "get", "--config", s.config, "argon-rp")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != exitOK || got["client_id"] != "argon-rp" ||
		got["client_secret"] != nil || got["registration_client_uri"] != testIssuer+"/clients/argon-rp" {
		t.Errorf("get: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	if r := runClients(t, "delete", "exported-rp", "--config", s.config); r.code != exitOK || r.stdout != "deleted exported-rp\n" {
		t.Errorf("delete: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"get", "exported-rp"}, {"delete", "exported-rp"}} {
		r := runClients(t, append(args, "--config", s.config)...)
		if r.code != exitFailure || !strings.Contains(r.stderr, "no client is registered") {
			t.Errorf("%v after delete: code %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestClientsUsageErrors(t *testing.T) {
	dir := t.TempDir()
	notArray := writeFile(t, dir, "object.json", `{"client_id":"x"}`)
	badMember := writeFile(t, dir, "bad.json", `[{"redirect_uris":"x"}]`)
	emptyList := writeFile(t, dir, "empty.json", `[]`)
	noKeys := writeFile(t, dir, "gatehouse.yaml", "issuer: http://127.0.0.1:8080\nkeys: {file: "+filepath.Join(dir, "absent.json")+"}\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no subcommand", args: nil, want: "want import, list, get or delete"},
		{name: "unknown subcommand", args: []string{"frob"}, want: `unknown subcommand "frob"`},
		{name: "get without ID", args: []string{"get", "--config", noKeys}, want: "want one client ID"},
		{name: "list with an argument", args: []string{"list", "x"}, want: "takes no arguments"},
		{name: "unknown flag", args: []string{"list", "--frob"}, want: "flag provided but not defined"},
		{name: "import file missing", args: []string{"import", filepath.Join(dir, "absent.json")}, want: "absent.json"},
		{name: "import file not an array", args: []string{"import", notArray}, want: "want a JSON array"},
		{name: "import file with a bad member", args: []string{"import", badMember}, want: "registration #1: redirect_uris"},
		{name: "import without the key set", args: []string{"import", emptyList, "--config", noKeys}, want: "keys.file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runClients(t, tc.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("code %d, stderr %q; want 2 and %q", r.code, r.stderr, tc.want)
			}
		})
	}
}

// The development configuration's master token hash is that of
// "dev-master-token", and the server started with it takes the token.
func TestDevConfigMasterToken(t *testing.T) {
	t.Chdir("../..") // the dev configuration's paths are relative to the repository
	cfg, err := conf.Load("conf/gatehouse.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.OP.Reg.MasterTokenSHA256; !strings.EqualFold(got, sha256Hex("dev-master-token")) {
		t.Fatalf("op.reg.masterTokenSHA256 = %s, not the SHA-256 of dev-master-token", got)
	}
	codec, err := secrets.New(secrets.Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}, make([]byte, 32), "k")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := registration.NewService(registration.Options{Store: registrationtest.New(), Codec: codec,
		Verifier: secrets.NewVerifier(codec, secrets.VerifierOptions{}), Config: registrationConfig(cfg.OP)})
	if err != nil {
		t.Fatal(err)
	}
	if who, err := svc.AuthorizeCollection(t.Context(), "dev-master-token", true); err != nil || who != registration.Master {
		t.Errorf("dev-master-token: %v, %v", who, err)
	}
	if _, err := svc.AuthorizeCollection(t.Context(), "dev-master-token2", true); err == nil {
		t.Error("a wrong token was taken for the master token")
	}

	// End to end: the dev configuration, served with the embedded
	// directory, registers a client for the dev token.
	dir := t.TempDir()
	seed, err := filepath.Abs("conf/dev-directory.ldif")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen, cfg.Keys.File = "127.0.0.1:0", filepath.Join(dir, "jwks.json")
	cfg.LDAP.Embedded = conf.Embedded{Seed: seed, Data: filepath.Join(dir, "directory.ldif"), Listen: "127.0.0.1:0"}
	logs := &logWatch{}
	addr := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	a := &app{stdout: io.Discard, stderr: logs, getenv: func(string) string { return "" },
		onServing: func(httpAddr, _ string) { addr <- httpAddr }}
	go func() { done <- a.runServer(ctx, cfg, newTestLogger(logs)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var base string
	select {
	case base = <-addr:
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	req, _ := http.NewRequest(http.MethodPost, "http://"+base+"/clients", strings.NewReader(`{"redirect_uris":["http://127.0.0.1:9000/cb"]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer dev-master-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"client_secret"`) {
		t.Errorf("register with dev-master-token: %d %s", resp.StatusCode, body)
	}
}

func TestGeneratedSecret(t *testing.T) {
	empty, given := "", "given"
	tests := []struct {
		name  string
		req   registration.Request
		shown string
		want  bool
	}{
		{name: "nothing given", shown: "made-up", want: true},
		{name: "empty client_secret", req: registration.Request{ClientSecret: &empty}, shown: "made-up", want: true},
		{name: "client_secret kept", req: registration.Request{ClientSecret: &given}, shown: "given"},
		{name: "preferred kept", req: registration.Request{PreferredClientSecret: "given"}, shown: "given"},
		{name: "nothing shown", shown: ""},
	}
	for _, tc := range tests {
		if got := generatedSecret(&tc.req, tc.shown); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestClientsReadWithoutKeySet: listing and reading registrations needs no
// key set (nothing is decrypted), so they work on a host without one.
func TestClientsReadWithoutKeySet(t *testing.T) {
	s := newClientsSetup(t)
	file := writeFile(t, t.TempDir(), "clients.json", `[{"client_id": "plain-rp", "client_name": "Plain", `+rpRedirect+`}]`)
	if r := runClients(t, "import", file, "--config", s.config); r.code != 0 {
		t.Fatalf("import: %d %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(s.config)
	if err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "absent.json")
	config := writeFile(t, t.TempDir(), "gatehouse.yaml",
		regexp.MustCompile(`keys: \{file: [^}]*\}`).ReplaceAllString(string(data), "keys: {file: "+absent+"}"))
	if r := runClients(t, "list", "--config", config); r.code != 0 || !strings.Contains(r.stdout, "plain-rp\tPlain") {
		t.Errorf("list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runClients(t, "get", "plain-rp", "--config", config); r.code != 0 || !strings.Contains(r.stdout, `"client_name": "Plain"`) {
		t.Errorf("get: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(absent); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a key set was written: %v", err)
	}
}
