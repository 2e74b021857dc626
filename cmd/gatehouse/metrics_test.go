package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// ccClient is a confidential client of the client_credentials grant, with
// the demo's secret (demoSecret).
const ccClient = `
dn: oauthClientID=cc-client,ou=clients,dc=example,dc=org
objectClass: oidcRelyingParty
objectClass: gatehouseClient
oauthClientID: cc-client
oauthClientIDIssueTime: 20261125000000Z
oauthClientSecret: $argon2id$v=19$m=65536,t=1,p=2$24G7Sr6Zv3wRWY3h6FnrTw$sIscSiV6N2VZiekCsNfYPibrxH/r0c4gYjSI+5IU1uE
oauthTokenEndpointAuthMethod: client_secret_basic
oauthGrantType: client_credentials
oauthScopeValue: api
gatehouseVersion: seed-1
`

// freeAddr is a loopback address no one listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startObservedServer is startDemoDirectoryServer (the dev directory on a
// private slapd, with extraLDIF) with extraConfig appended to the
// configuration: the metrics and audit settings under test.
func startObservedServer(t *testing.T, extraLDIF, extraConfig string) *server {
	t.Helper()
	addr := freeAddr(t)
	dev, err := os.ReadFile("../../conf/dev-directory.ldif")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ldif := filepath.Join(dir, "directory.ldif")
	all := strings.ReplaceAll(string(dev)+"\n"+extraLDIF, "127.0.0.1:8080", addr)
	if err := os.WriteFile(ldif, []byte(all), 0o600); err != nil {
		t.Fatal(err)
	}
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{ldif}})
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	secretFile := writeFile(t, dir, "demo-secret", demoSecret+"\n")
	return startServe(t, fmt.Sprintf(`issuer: http://%s
listen: %s
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
demo: {enabled: true, clientID: demo-rp, clientSecretFile: %s}
%s`, addr, addr, dir, slapd.URL, slapd.AdminDN, pwFile, secretFile, extraConfig))
}

// scrape reads /metrics at base and returns every sample by its series:
// the metric name with its labels as the exposition format writes them.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestMetricsMoveWithRequests scrapes /metrics on the main listener, runs
// a code flow, a client_credentials grant and a failed sign-in, and finds
// the series moved by exactly those.
func TestMetricsMoveWithRequests(t *testing.T) {
	s := startObservedServer(t, ccClient, "")
	before := scrape(t, s.base)

	b := newBrowser(t, s)
	// A failed sign-in first: the same browser then signs in as bob.
	p := b.do(http.MethodGet, authorizeURL("demo-rp", s.base+"/demo/callback", nil), nil)
	f := formFields(t, b.next(p))
	f.Set("username", "bob")
	f.Set("password", "not-bobs-password")
	if p := b.do(http.MethodPost, "/login", f); p.status != http.StatusOK {
		t.Fatalf("wrong password: %d", p.status)
	}
	verifier, _ := pkce()
	code := codeFor(t, s, b)
	status, body, _ := tokenRequest(t, s, "demo-rp", demoSecret, url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {s.base + "/demo/callback"}, "code_verifier": {verifier}})
	if status != http.StatusOK {
		t.Fatalf("code redemption: %d %v", status, body)
	}
	if status, body, _ := tokenRequest(t, s, "cc-client", demoSecret, url.Values{"grant_type": {"client_credentials"}}); status != http.StatusOK {
		t.Fatalf("client_credentials: %d %v", status, body)
	}

	after := scrape(t, s.base)
	moved := func(series string) float64 { return after[series] - before[series] }
	tests := []struct {
		series string
		want   float64
	}{
		{`gatehouse_http_requests_total{code="200",method="POST",route="/token"}`, 2},
		{`gatehouse_http_request_duration_seconds_count{class="2xx",method="POST",route="/token"}`, 2},
		// The wrong password's login page again, then the consent page: both
		// answered by POST /login itself.
		{`gatehouse_http_requests_total{code="200",method="POST",route="/login"}`, 2},
		{`gatehouse_http_requests_total{code="302",method="POST",route="/consent"}`, 1},
		{`gatehouse_token_issued_total{auth_method="client_secret_basic",grant_type="authorization_code"}`, 1},
		{`gatehouse_token_issued_total{auth_method="client_secret_basic",grant_type="client_credentials"}`, 1},
		{`gatehouse_signin_total{outcome="invalid"}`, 1},
		{`gatehouse_signin_total{outcome="ok"}`, 1},
		{`gatehouse_consent_total{decision="allow"}`, 1},
		{`gatehouse_secret_verifier_slow_checks_total`, 2}, // one Argon2 run per client
	}
	for _, tc := range tests {
		if got := moved(tc.series); got != tc.want {
			t.Errorf("%s moved by %v, want %v", tc.series, got, tc.want)
		}
	}
	for _, present := range []string{
		"go_goroutines",
		"process_resident_memory_bytes",
		`gatehouse_sessions_pending_flows`,
		`gatehouse_directory_pool_in_use{pool="service"}`,
		`gatehouse_directory_pool_size{pool="service"}`,
	} {
		if _, ok := after[present]; !ok {
			t.Errorf("%s missing from the scrape", present)
		}
	}
	upSeries := fmt.Sprintf(`gatehouse_directory_server_up{server=%q}`, s.ldapURL)
	if after[upSeries] != 1 {
		t.Errorf("%s = %v, want 1", upSeries, after[upSeries])
	}
	// Every directory operation is timed, per server and kind.
	searches := fmt.Sprintf(`gatehouse_directory_operation_duration_seconds_count{op="search",server=%q}`, s.ldapURL)
	if after[searches] <= before[searches] {
		t.Errorf("%s did not move (%v → %v)", searches, before[searches], after[searches])
	}
	for series := range after {
		for _, id := range []string{"demo-rp", "cc-client", "bob", `route="/login?`} {
			if strings.Contains(series, id) {
				t.Errorf("series %s carries %q: an unbounded label", series, id)
			}
		}
	}
}

// TestMetricsOnTheirOwnListener: with metrics.listen set, /metrics is
// served there only.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	metricsAddr := freeAddr(t)
	s := startObservedServer(t, "", fmt.Sprintf("metrics: {listen: %q}\n", metricsAddr))
	if status, _ := s.get(t, "/metrics"); status != http.StatusNotFound {
		t.Errorf("GET /metrics on the main listener: %d, want 404", status)
	}
	s.get(t, "/jwks.json")
	got := scrape(t, "http://"+metricsAddr)
	if got[`gatehouse_http_requests_total{code="200",method="GET",route="/jwks.json"}`] != 1 {
		t.Errorf("the main listener's request is not counted on the metrics listener")
	}
	if got[`gatehouse_http_requests_total{code="404",method="GET",route="unmatched"}`] != 1 {
		t.Errorf("the 404 for /metrics on the main listener is not counted as unmatched")
	}
	resp, err := http.Get("http://" + metricsAddr + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the metrics listener serves /jwks.json: %d", resp.StatusCode)
	}
}
