package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/templates"
)

const (
	testMasterToken = "registry-test-master-token"
	testIssuer      = "https://idp.example.com"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// testClock is a settable clock for the rollover window.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testConfig is a configuration for the registry tests: the master token
// above, a cheap Argon2id and the certificate methods enabled.
func testConfig(t *testing.T) *conf.Config {
	t.Helper()
	cfg, err := conf.Parse([]byte(`issuer: `+testIssuer+`
op:
  tls: {clientX509CertHeader: X-Client-Cert}
  token:
    authMethods: [client_secret_basic, client_secret_post, client_secret_jwt, private_key_jwt, none, tls_client_auth]
  reg: {masterTokenSHA256: "`+strings.ToUpper(sha256Hex(testMasterToken))+`"}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// ldapRegistry is the provider's /clients over a private OpenLDAP: the
// real store, codec and wiring, and a clock the test moves.
type ldapRegistry struct {
	base   string // URL of the HTTP server
	conn   *ldap.Conn
	dn     string // the clients base DN, a subtree of the test's own
	clock  *testClock
	reg    *registry
	client *http.Client
}

func newLDAPRegistry(t *testing.T, slapd *ldaptest.Slapd) *ldapRegistry {
	t.Helper()
	conn := slapd.Conn(t)
	dn := ldaptest.Subtree(t, conn, "ou=clients,"+slapd.BaseDN)
	return startRegistry(t, []string{slapd.URL}, slapd.AdminDN, slapd.AdminPassword, dn, conn)
}

func startRegistry(t *testing.T, urls []string, bindDN, password, clientsDN string, conn *ldap.Conn) *ldapRegistry {
	t.Helper()
	cfg := testConfig(t)
	cfg.LDAP.Clients.BaseDN = clientsDN
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: urls, BindDN: bindDN, BindPassword: password,
		Timeout: 2 * time.Second, Size: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	reg, err := newRegistry(cfg, pool, keys)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	p, err := provider.New(reg.providerOptions(provider.Options{
		Issuer: cfg.Issuer, Keys: keys, Directory: pool, Pages: pages, Now: clock.Now,
	}))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p.Handler())
	t.Cleanup(srv.Close)
	return &ldapRegistry{base: srv.URL, conn: conn, dn: clientsDN, clock: clock, reg: reg, client: srv.Client()}
}

// reply is one HTTP answer.
type reply struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

func (r reply) str(name string) string {
	s, _ := r.json[name].(string)
	return s
}

// do sends a request to the registry; every answer must forbid caching.
func (l *ldapRegistry) do(t *testing.T, method, path, token, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, l.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := l.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s %s: Cache-Control = %q", method, path, cc)
	}
	if strings.HasPrefix(strings.TrimSpace(r.body), "{") {
		if err := json.Unmarshal(b, &r.json); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, path, r.body)
		}
	}
	return r
}

// register creates a client with the master token.
func (l *ldapRegistry) register(t *testing.T, body string) reply {
	t.Helper()
	r := l.do(t, http.MethodPost, "/clients", testMasterToken, body)
	if r.status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", body, r.status, r.body)
	}
	return r
}

// entry reads a client's entry as the directory holds it.
func (l *ldapRegistry) entry(t *testing.T, id string) *ldap.Entry {
	t.Helper()
	res, err := l.conn.Search(ldap.NewSearchRequest(l.dn, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		"(oauthClientID="+ldap.EscapeFilter(id)+")", []string{"*"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entries) != 1 {
		return nil
	}
	return res.Entries[0]
}

// snapshot is every entry below the clients base DN, to show that a
// refused request changed nothing.
func (l *ldapRegistry) snapshot(t *testing.T) string {
	t.Helper()
	res, err := l.conn.Search(ldap.NewSearchRequest(l.dn, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"*", "modifyTimestamp"}, nil))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range res.Entries {
		for _, a := range e.Attributes {
			v := slices.Clone(a.Values)
			slices.Sort(v)
			lines = append(lines, e.DN+" "+a.Name+"="+strings.Join(v, "|"))
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// accepts tells whether the stored client takes secret at the clock's time.
func (l *ldapRegistry) accepts(t *testing.T, id, secret string) bool {
	t.Helper()
	c, err := l.reg.store.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := l.reg.verifier.CheckClient(t.Context(), c, secret, l.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return ok
}
