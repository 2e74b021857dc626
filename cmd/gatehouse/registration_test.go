package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/secrets/secrettest"
)

const rpRedirect = `"redirect_uris":["https://rp.example.com/cb"]`

func TestRegistrationRoundTripOpenLDAP(t *testing.T) {
	l := newLDAPRegistry(t, ldaptest.New(t, ldaptest.Options{}))
	body := `{` + rpRedirect + `,"client_name":"Round Trip","client_name#de":"Rundreise","scope":"openid email",` +
		`"contacts":["ops@example.com"],"default_max_age":3600,"x-extension":{"a":[1,2]}}`
	created := l.register(t, body)
	id, secret, token := created.str("client_id"), created.str("client_secret"), created.str("registration_access_token")
	if id == "" || secret == "" || token == "" || created.str("registration_client_uri") != testIssuer+"/clients/"+id {
		t.Fatalf("registration response: %s", created.body)
	}

	e := l.entry(t, id)
	stored := e.GetAttributeValue("oauthClientSecret")
	if secrets.Kind(stored) != secrets.Argon2id || strings.Contains(stored, secret) {
		t.Errorf("oauthClientSecret = %q: not an Argon2id hash of the secret", stored)
	}
	if got := e.GetAttributeValue("gatehouseRegistrationTokenHash"); got != sha256Hex(token) {
		t.Errorf("gatehouseRegistrationTokenHash = %q", got)
	}
	if got := e.GetAttributeValue("oauthClientRegistrationAccessToken"); got != "" {
		t.Errorf("the registration token is stored as given: %q", got)
	}
	if !l.accepts(t, id, secret) {
		t.Error("the issued secret is not accepted")
	}

	read := l.do(t, http.MethodGet, "/clients/"+id, token, "")
	for _, name := range []string{"client_name", "client_name#de", "scope", "registration_client_uri"} {
		if read.json[name] != created.json[name] {
			t.Errorf("%s read back as %v, registered as %v", name, read.json[name], created.json[name])
		}
	}
	if ext, _ := json.Marshal(read.json["x-extension"]); string(ext) != `{"a":[1,2]}` {
		t.Errorf("unknown member read back as %s", ext)
	}
	if read.json["client_secret"] != nil || read.json["registration_access_token"] != nil {
		t.Errorf("read shows credentials: %s", read.body)
	}

	put := l.do(t, http.MethodPut, "/clients/"+id, token, `{`+rpRedirect+`,"client_id":"`+id+`","client_name":"Renamed"}`)
	if put.status != http.StatusOK || put.str("client_name") != "Renamed" || put.json["client_name#de"] != nil {
		t.Fatalf("update: %d %s", put.status, put.body)
	}
	if got := l.entry(t, id).GetAttributeValue("oauthClientSecret"); got != stored {
		t.Error("an update without a secret changed it")
	}
	list := l.do(t, http.MethodGet, "/clients", testMasterToken, "")
	var all []map[string]any
	if err := json.Unmarshal([]byte(list.body), &all); err != nil || len(all) != 1 || all[0]["client_id"] != id {
		t.Errorf("list: %d %s", list.status, list.body)
	}
	if del := l.do(t, http.MethodDelete, "/clients/"+id, token, ""); del.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", del.status, del.body)
	}
	if l.entry(t, id) != nil {
		t.Error("the entry is still there")
	}
}

// Secrets the server must read back are encrypted, never plain.
func TestRecoverableSecretEncryptedOpenLDAP(t *testing.T) {
	l := newLDAPRegistry(t, ldaptest.New(t, ldaptest.Options{}))
	for _, extra := range []string{
		`"token_endpoint_auth_method":"client_secret_jwt"`,
		`"id_token_signed_response_alg":"HS256"`,
		`"userinfo_encrypted_response_alg":"dir"`,
	} {
		r := l.register(t, `{`+rpRedirect+`,`+extra+`}`)
		stored := l.entry(t, r.str("client_id")).GetAttributeValue("oauthClientSecret")
		if secrets.Kind(stored) != secrets.AESGCM || strings.Contains(stored, r.str("client_secret")) {
			t.Errorf("%s: oauthClientSecret = %q", extra, stored)
		}
		if !l.accepts(t, r.str("client_id"), r.str("client_secret")) {
			t.Errorf("%s: the secret is not accepted", extra)
		}
	}
	r := l.register(t, `{`+rpRedirect+`,"token_endpoint_auth_method":"none"}`)
	if e := l.entry(t, r.str("client_id")); e.GetAttributeValue("oauthClientSecret") != "" || r.json["client_secret"] != nil {
		t.Error("a public client got a secret")
	}
}

func TestHashImportsOpenLDAP(t *testing.T) {
	l := newLDAPRegistry(t, ldaptest.New(t, ldaptest.Options{}))
	for _, name := range []string{"bcrypt-htpasswd.txt", "argon2id-cli.txt", "argon2i-cli.txt"} {
		t.Run(name, func(t *testing.T) {
			plain, hash := secrettest.Fixture(t, name)
			id := strings.TrimSuffix(name, ".txt")
			r := l.register(t, `{`+rpRedirect+`,"preferred_client_id":"`+id+`","preferred_client_secret":"`+hash+`"}`)
			if r.json["client_secret"] != nil {
				t.Errorf("an imported hash is shown as client_secret: %s", r.body)
			}
			if got := l.entry(t, id).GetAttributeValue("oauthClientSecret"); got != hash {
				t.Errorf("oauthClientSecret = %q, want the hash as given", got)
			}
			if !l.accepts(t, id, plain) || l.accepts(t, id, plain+"x") {
				t.Error("the imported hash does not verify the plain secret")
			}
		})
	}
	// A client that needs its secret back cannot take a hash.
	_, hash := secrettest.Fixture(t, "bcrypt-htpasswd.txt")
	before := l.snapshot(t)
	r := l.do(t, http.MethodPost, "/clients", testMasterToken,
		`{`+rpRedirect+`,"token_endpoint_auth_method":"client_secret_jwt","preferred_client_secret":"`+hash+`"}`)
	if r.status != 400 || r.str("error") != "invalid_client_metadata" || !strings.HasPrefix(r.str("error_description"), "preferred_client_secret") {
		t.Errorf("hash for client_secret_jwt: %d %s", r.status, r.body)
	}
	if l.snapshot(t) != before {
		t.Error("the refused registration changed the directory")
	}
}

func TestSecretRolloverOpenLDAP(t *testing.T) {
	l := newLDAPRegistry(t, ldaptest.New(t, ldaptest.Options{}))
	first := l.register(t, `{`+rpRedirect+`}`)
	id, old, token := first.str("client_id"), first.str("client_secret"), first.str("registration_access_token")
	oldStored := l.entry(t, id).GetAttributeValue("oauthClientSecret")

	l.clock.Advance(time.Hour)
	rotated := l.do(t, http.MethodPut, "/clients/"+id, token, `{`+rpRedirect+`,"client_secret":"please rotate"}`)
	fresh := rotated.str("client_secret")
	if rotated.status != http.StatusOK || fresh == "" || fresh == old {
		t.Fatalf("rotation: %d %s", rotated.status, rotated.body)
	}
	e := l.entry(t, id)
	if got := e.GetAttributeValue("gatehousePreviousClientSecret"); got != oldStored {
		t.Errorf("gatehousePreviousClientSecret = %q, want the old stored value", got)
	}
	if got := e.GetAttributeValue("gatehousePreviousClientSecretExp"); got != "20250601133000.0Z" {
		t.Errorf("gatehousePreviousClientSecretExp = %q, want 30 minutes after the update", got)
	}
	if !l.accepts(t, id, old) || !l.accepts(t, id, fresh) {
		t.Fatal("right after the rotation both secrets must work")
	}
	l.clock.Advance(29*time.Minute + 59*time.Second)
	if !l.accepts(t, id, old) {
		t.Error("the old secret stopped inside the window")
	}
	l.clock.Advance(time.Second)
	if l.accepts(t, id, old) {
		t.Error("the old secret still works after the window")
	}
	if !l.accepts(t, id, fresh) {
		t.Error("the new secret stopped working")
	}

	// The master sets a secret of its choosing; the last one rolls over.
	set := l.do(t, http.MethodPut, "/clients/"+id, testMasterToken, `{`+rpRedirect+`,"preferred_client_secret":"chosen-by-the-admin"}`)
	if set.status != http.StatusOK || set.str("client_secret") != "chosen-by-the-admin" {
		t.Fatalf("preferred secret: %d %s", set.status, set.body)
	}
	if !l.accepts(t, id, "chosen-by-the-admin") || !l.accepts(t, id, fresh) || l.accepts(t, id, old) {
		t.Error("after the second rotation: the chosen and the previous secret must work, the first not")
	}
}

func TestRegistrationAuthorisationOpenLDAP(t *testing.T) {
	l := newLDAPRegistry(t, ldaptest.New(t, ldaptest.Options{}))
	a := l.register(t, `{`+rpRedirect+`,"preferred_client_id":"client-a"}`)
	b := l.register(t, `{`+rpRedirect+`,"preferred_client_id":"client-b"}`)
	tok := map[string]string{
		"missing":            "",
		"master":             testMasterToken,
		"wrong":              "wrong-token",
		"own":                a.str("registration_access_token"),
		"other":              b.str("registration_access_token"),
		"master with a typo": testMasterToken + "x",
	}
	tests := []struct {
		method, path, token string
		status              int
		code                string
	}{
		{http.MethodGet, "/clients/client-a", "missing", 401, "invalid_token"},
		{http.MethodGet, "/clients/client-a", "wrong", 401, "invalid_token"},
		{http.MethodGet, "/clients/client-a", "master with a typo", 401, "invalid_token"},
		{http.MethodGet, "/clients/client-a", "other", 403, "insufficient_scope"},
		{http.MethodGet, "/clients/client-a", "own", 200, ""},
		{http.MethodGet, "/clients/client-a", "master", 200, ""},
		{http.MethodGet, "/clients/nobody", "master", 404, "not_found"},
		{http.MethodGet, "/clients/nobody", "wrong", 401, "invalid_token"},
		{http.MethodPut, "/clients/client-a", "missing", 401, "invalid_token"},
		{http.MethodPut, "/clients/client-a", "wrong", 401, "invalid_token"},
		{http.MethodPut, "/clients/client-a", "other", 403, "insufficient_scope"},
		{http.MethodPut, "/clients/client-a", "own", 200, ""},
		{http.MethodPut, "/clients/client-a", "master", 200, ""},
		{http.MethodDelete, "/clients/client-a", "missing", 401, "invalid_token"},
		{http.MethodDelete, "/clients/client-a", "wrong", 401, "invalid_token"},
		{http.MethodDelete, "/clients/client-a", "other", 403, "insufficient_scope"},
		{http.MethodPost, "/clients", "missing", 401, "invalid_token"},
		{http.MethodPost, "/clients", "wrong", 401, "invalid_token"},
		{http.MethodPost, "/clients", "own", 403, "insufficient_scope"},
		{http.MethodGet, "/clients", "missing", 401, "invalid_token"},
		{http.MethodGet, "/clients", "own", 403, "insufficient_scope"},
		{http.MethodGet, "/clients", "master", 200, ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s %s with %s token", tc.method, tc.path, tc.token), func(t *testing.T) {
			body := ""
			if tc.method == http.MethodPost || tc.method == http.MethodPut {
				body = `{` + rpRedirect + `}`
			}
			before := l.snapshot(t)
			r := l.do(t, tc.method, tc.path, tok[tc.token], body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.code == "" {
				return
			}
			if r.str("error") != tc.code {
				t.Errorf("error %q, want %q", r.str("error"), tc.code)
			}
			if tc.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
			if l.snapshot(t) != before {
				t.Error("a refused request changed the directory")
			}
		})
	}
	if r := l.do(t, http.MethodDelete, "/clients/client-a", tok["own"], ""); r.status != http.StatusNoContent {
		t.Errorf("the client deleting itself: %d %s", r.status, r.body)
	}
}

func TestRegistrationBadInputOpenLDAP(t *testing.T) {
	l := newLDAPRegistry(t, ldaptest.New(t, ldaptest.Options{}))
	l.register(t, `{`+rpRedirect+`,"preferred_client_id":"taken"}`)
	valid := `{` + rpRedirect + `}`
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code, member             string
	}{
		{name: "wrong content type", method: http.MethodPost, path: "/clients", body: valid,
			header: []string{"Content-Type", "text/plain"}, status: 415, code: "invalid_request"},
		{name: "oversized body", method: http.MethodPost, path: "/clients",
			body: `{` + rpRedirect + `,"client_name":"` + strings.Repeat("x", 70<<10) + `"}`, status: 413, code: "invalid_request"},
		{name: "malformed JSON", method: http.MethodPost, path: "/clients", body: `{"redirect_uris":[`, status: 400, code: "invalid_request"},
		{name: "not an object", method: http.MethodPut, path: "/clients/taken", body: `"x"`, status: 400, code: "invalid_request"},
		{name: "member of the wrong type", method: http.MethodPost, path: "/clients", body: `{"grant_types":"authorization_code"}`,
			status: 400, code: "invalid_client_metadata", member: "grant_types"},
		{name: "duplicate preferred_client_id", method: http.MethodPost, path: "/clients", body: `{` + rpRedirect + `,"preferred_client_id":"taken"}`,
			status: 409, code: "invalid_client_metadata", member: "preferred_client_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := l.snapshot(t)
			r := l.do(t, tc.method, tc.path, testMasterToken, tc.body, tc.header...)
			if r.status != tc.status || r.str("error") != tc.code || !strings.HasPrefix(r.str("error_description"), tc.member) {
				t.Fatalf("got %d %.300s, want %d %s on %q", r.status, r.body, tc.status, tc.code, tc.member)
			}
			if l.snapshot(t) != before {
				t.Error("the directory changed")
			}
		})
	}
}

// Every metadata rule, as the endpoint answers it over a real directory.
func TestRegistrationValidationOpenLDAP(t *testing.T) {
	l := newLDAPRegistry(t, ldaptest.New(t, ldaptest.Options{}))
	const jwks = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",` +
		`"y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}`
	tests := []struct {
		name, body, code, member string
	}{
		{"missing redirect URIs", `{}`, "invalid_redirect_uri", "redirect_uris"},
		{"relative redirect URI", `{"redirect_uris":["/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
		{"fragment", `{"redirect_uris":["https://rp.example.com/cb#f"]}`, "invalid_redirect_uri", "redirect_uris"},
		{"javascript", `{"redirect_uris":["javascript:alert(1)"]}`, "invalid_redirect_uri", "redirect_uris"},
		{"data", `{"redirect_uris":["data:text/html,x"],"application_type":"native"}`, "invalid_redirect_uri", "redirect_uris"},
		{"vbscript", `{"redirect_uris":["vbscript:x"]}`, "invalid_redirect_uri", "redirect_uris"},
		{"http off loopback", `{"redirect_uris":["http://rp.example.com/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
		{"custom scheme on the web", `{"redirect_uris":["com.example:/cb"]}`, "invalid_redirect_uri", "redirect_uris"},
		{"application type", `{` + rpRedirect + `,"application_type":"tv"}`, "invalid_client_metadata", "application_type"},
		{"unknown grant", `{` + rpRedirect + `,"grant_types":["magic"]}`, "invalid_client_metadata", "grant_types"},
		{"code without its grant", `{` + rpRedirect + `,"grant_types":["implicit"],"response_types":["code"]}`, "invalid_client_metadata", "response_types"},
		{"grant without its response", `{` + rpRedirect + `,"grant_types":["authorization_code","implicit"],"response_types":["code"]}`,
			"invalid_client_metadata", "grant_types"},
		{"unknown response type", `{` + rpRedirect + `,"response_types":["code secret"]}`, "invalid_client_metadata", "response_types"},
		{"jwks and jwks_uri", `{` + rpRedirect + `,"jwks":` + jwks + `,"jwks_uri":"https://rp.example.com/jwks"}`, "invalid_client_metadata", "jwks"},
		{"jwks_uri over http", `{` + rpRedirect + `,"jwks_uri":"http://rp.example.com/jwks"}`, "invalid_client_metadata", "jwks_uri"},
		{"logo_uri scheme", `{` + rpRedirect + `,"logo_uri":"file:///logo.png"}`, "invalid_client_metadata", "logo_uri"},
		{"auth method off", `{` + rpRedirect + `,"token_endpoint_auth_method":"self_signed_tls_client_auth"}`,
			"invalid_client_metadata", "token_endpoint_auth_method"},
		{"private_key_jwt without keys", `{` + rpRedirect + `,"token_endpoint_auth_method":"private_key_jwt"}`,
			"invalid_client_metadata", "token_endpoint_auth_method"},
		{"signing alg of the wrong family", `{` + rpRedirect + `,"token_endpoint_auth_method":"private_key_jwt","jwks":` + jwks +
			`,"token_endpoint_auth_signing_alg":"HS256"}`, "invalid_client_metadata", "token_endpoint_auth_signing_alg"},
		{"tls_client_auth without subject", `{` + rpRedirect + `,"token_endpoint_auth_method":"tls_client_auth"}`,
			"invalid_client_metadata", "token_endpoint_auth_method"},
		{"tls_client_auth with two subjects", `{` + rpRedirect + `,"token_endpoint_auth_method":"tls_client_auth",` +
			`"tls_client_auth_subject_dn":"CN=rp","tls_client_auth_san_email":"rp@example.com"}`, "invalid_client_metadata", "tls_client_auth_san_email"},
		{"ID token alg", `{` + rpRedirect + `,"id_token_signed_response_alg":"none"}`, "invalid_client_metadata", "id_token_signed_response_alg"},
		{"JARM alg off", `{` + rpRedirect + `,"authorization_signed_response_alg":"RS512"}`, "invalid_client_metadata", "authorization_signed_response_alg"},
		{"JARM encryption off", `{` + rpRedirect + `,"jwks":` + jwks + `,"authorization_encrypted_response_alg":"RSA-OAEP"}`,
			"invalid_client_metadata", "authorization_encrypted_response_alg"},
		{"encryption method alone", `{` + rpRedirect + `,"userinfo_encrypted_response_enc":"A128GCM"}`,
			"invalid_client_metadata", "userinfo_encrypted_response_enc"},
		{"encryption without client keys", `{` + rpRedirect + `,"id_token_encrypted_response_alg":"ECDH-ES"}`,
			"invalid_client_metadata", "id_token_encrypted_response_alg"},
		{"HS256 for a public client", `{` + rpRedirect + `,"token_endpoint_auth_method":"none","userinfo_signed_response_alg":"HS256"}`,
			"invalid_client_metadata", "userinfo_signed_response_alg"},
		{"subject type", `{` + rpRedirect + `,"subject_type":"secret"}`, "invalid_client_metadata", "subject_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := l.snapshot(t)
			r := l.do(t, http.MethodPost, "/clients", testMasterToken, tc.body)
			if r.status != 400 || r.str("error") != tc.code || !strings.HasPrefix(r.str("error_description"), tc.member+": ") {
				t.Errorf("got %d %s, want 400 %s naming %s", r.status, r.body, tc.code, tc.member)
			}
			if l.snapshot(t) != before {
				t.Error("the directory changed")
			}
		})
	}
}

// With the directory gone every registration request gets 503.
func TestRegistrationDirectoryDown(t *testing.T) {
	l := startRegistry(t, []string{"ldap://" + closedPort(t)}, "cn=admin,dc=example,dc=org", "x", "ou=clients,dc=example,dc=org", nil)
	for _, r := range []struct{ method, path, token, body string }{
		{http.MethodPost, "/clients", testMasterToken, `{` + rpRedirect + `}`},
		{http.MethodGet, "/clients", testMasterToken, ""},
		{http.MethodGet, "/clients/some-client", testMasterToken, ""},
		{http.MethodGet, "/clients/some-client", "a-client-token", ""},
		{http.MethodPut, "/clients/some-client", testMasterToken, `{` + rpRedirect + `}`},
		{http.MethodDelete, "/clients/some-client", testMasterToken, ""},
	} {
		res := l.do(t, r.method, r.path, r.token, r.body)
		if res.status != http.StatusServiceUnavailable || res.str("error") != "temporarily_unavailable" {
			t.Errorf("%s %s: %d %s", r.method, r.path, res.status, res.body)
		}
	}
}
