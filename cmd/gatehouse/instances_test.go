package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// clientChangeBound is how long another instance may keep serving a
// client as it was before a change (ldapstore.DefaultClientCacheTTL),
// plus a margin for a loaded machine; docs/scale-out.md promises it.
const clientChangeBound = 5*time.Second + 3*time.Second

// TestInstancesAgreeOnClients: two instances on one directory. A client
// registered on one works on the other at once; a secret rotated and a
// name changed on one are honoured by the other within the documented
// bound, and the replaced secret keeps working during its rollover window.
func TestInstancesAgreeOnClients(t *testing.T) {
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	dir := t.TempDir()
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	sum := sha256.Sum256([]byte(signInMasterToken))
	config := fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
`, dir, slapd.URL, slapd.AdminDN, pwFile, hex.EncodeToString(sum[:]))
	a, b := startServe(t, config), startServe(t, config)

	reg := func(s *server, method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+signInMasterToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if resp.StatusCode/100 != 2 || json.Unmarshal(raw, &out) != nil {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return out
	}
	works := func(s *server, id, secret string) bool {
		status, _, _ := tokenRequest(t, s, id, secret, url.Values{"grant_type": {"client_credentials"}})
		return status == http.StatusOK
	}
	// within polls cond until it holds or the bound has passed.
	within := func(bound time.Duration, cond func() bool) (time.Duration, bool) {
		start := time.Now()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if cond() {
				return time.Since(start), true
			}
			if time.Since(start) > bound {
				return time.Since(start), false
			}
			<-tick.C
		}
	}

	created := reg(a, http.MethodPost, "/clients", `{"client_name":"Batch","grant_types":["client_credentials"],"response_types":[],"scope":"reports"}`)
	id, first := created["client_id"].(string), created["client_secret"].(string)
	if !works(b, id, first) {
		t.Fatal("a client registered on A does not authenticate on B")
	}

	rotated := reg(a, http.MethodPut, "/clients/"+id,
		`{"client_id":"`+id+`","client_name":"Batch","grant_types":["client_credentials"],"response_types":[],"scope":"reports","client_secret":"rotate-me"}`)
	second, _ := rotated["client_secret"].(string)
	if second == "" || second == first {
		t.Fatalf("no new secret: %v", rotated)
	}
	if took, ok := within(clientChangeBound, func() bool { return works(b, id, second) }); !ok {
		t.Errorf("the rotated secret is not accepted by B after %s", took)
	}
	if !works(b, id, first) || !works(a, id, first) {
		t.Error("the replaced secret stopped working inside its rollover window")
	}

	reg(a, http.MethodPut, "/clients/"+id,
		`{"client_id":"`+id+`","client_name":"Renamed","grant_types":["client_credentials"],"response_types":[],"scope":"reports"}`)
	if took, ok := within(clientChangeBound, func() bool {
		return reg(b, http.MethodGet, "/clients/"+id, "")["client_name"] == "Renamed"
	}); !ok {
		t.Errorf("B still shows the old name after %s", took)
	}
}
