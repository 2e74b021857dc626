package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/go-ldap/ldap/v3"
)

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// partnerIdP is a trusted issuer of assertions: its JWKS is served by an
// httptest server of the test, as a partner would publish it.
type partnerIdP struct {
	issuer string
	key    *ecdsa.PrivateKey
	srv    *httptest.Server
}

func newPartnerIdP(t *testing.T) *partnerIdP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &partnerIdP{issuer: "https://partner.example", key: key}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "p1", Algorithm: "ES256", Use: "sig"}}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// assertion signs claims, starting from ones that pass every check.
func (p *partnerIdP) assertion(t *testing.T, jti string, edit func(c map[string]any)) string {
	t.Helper()
	now := time.Now()
	c := map[string]any{"iss": p.issuer, "sub": "bob", "aud": "http://127.0.0.1:8080/token", "jti": jti,
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix()}
	if edit != nil {
		edit(c)
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: p.key, KeyID: "p1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(sig).Claims(c).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestJWTBearerGrant: a client trades a partner's assertion about bob for
// an access token whose sub is bob's subject in the directory, with no ID
// token nor refresh token; the same assertion again, one from an unknown
// issuer, an expired one and one for another audience are refused, and a
// client that did not register the grant may not use it.
func TestJWTBearerGrant(t *testing.T) {
	idp := newPartnerIdP(t)
	s, slapd := startSignInServerWith(t, fmt.Sprintf(`  jwtBearer:
    issuers:
      - {issuer: %q, jwksURL: %q}
`, idp.issuer, idp.srv.URL+"/jwks.json"))
	res, err := slapd.Conn(t).Search(ldap.NewSearchRequest("ou=people,dc=example,dc=org", ldap.ScopeSingleLevel,
		ldap.NeverDerefAliases, 0, 0, false, "(uid=bob)", []string{"entryUUID"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("find bob: %v", err)
	}
	bobSubject := res.Entries[0].GetAttributeValue("entryUUID")

	var meta struct {
		GrantTypes []string `json:"grant_types_supported"`
	}
	if _, body := s.get(t, "/.well-known/openid-configuration"); json.Unmarshal([]byte(body), &meta) != nil ||
		!slices.Contains(meta.GrantTypes, jwtBearerGrant) {
		t.Errorf("discovery grant_types_supported %v lacks %s", meta.GrantTypes, jwtBearerGrant)
	}

	reg := registerWithMasterToken(t, s, `{"client_name":"svc","scope":"read write","grant_types":["`+jwtBearerGrant+`"]}`)
	id, secret := reg["client_id"].(string), reg["client_secret"].(string)
	other := registerWithMasterToken(t, s, `{"client_name":"cc","scope":"read","grant_types":["client_credentials"]}`)
	post := func(id, secret, assertion string) (int, map[string]any) {
		return basicTokenRequest(t, s, id, secret, url.Values{"grant_type": {jwtBearerGrant}, "assertion": {assertion}, "scope": {"read"}})
	}

	good := idp.assertion(t, "first", nil)
	status, body := post(id, secret, good)
	if status != http.StatusOK || body["id_token"] != nil || body["refresh_token"] != nil || body["scope"] != "read" {
		t.Fatalf("grant: %d %v", status, body)
	}
	if claims := jwtPayload(t, body["access_token"].(string)); claims["sub"] != bobSubject || claims["client_id"] != id {
		t.Errorf("access token claims %v; want sub %s", claims, bobSubject)
	}

	for _, tc := range []struct {
		name, id, secret, assertion, wantError, wantDesc string
	}{
		{"replayed", id, secret, good, "invalid_grant", "jti: used before"},
		{"unknown issuer", id, secret, idp.assertion(t, "u", func(c map[string]any) { c["iss"] = "https://evil.example" }),
			"invalid_grant", "iss: not a trusted issuer"},
		{"expired", id, secret, idp.assertion(t, "e", func(c map[string]any) {
			c["iat"], c["exp"] = time.Now().Add(-10*time.Minute).Unix(), time.Now().Add(-5*time.Minute).Unix()
		}), "invalid_grant", "exp: expired"},
		{"wrong audience", id, secret, idp.assertion(t, "a", func(c map[string]any) { c["aud"] = "https://other.example/token" }),
			"invalid_grant", "aud:"},
		{"unknown person", id, secret, idp.assertion(t, "p", func(c map[string]any) { c["sub"] = "mallory" }),
			"invalid_grant", "names no person"},
		{"client without the grant", other["client_id"].(string), other["client_secret"].(string), idp.assertion(t, "c", nil),
			"unauthorized_client", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(tc.id, tc.secret, tc.assertion)
			desc, _ := body["error_description"].(string)
			if status != http.StatusBadRequest || body["error"] != tc.wantError || !strings.Contains(desc, tc.wantDesc) {
				t.Errorf("got %d %v; want 400 %s %q", status, body, tc.wantError, tc.wantDesc)
			}
		})
	}
}
