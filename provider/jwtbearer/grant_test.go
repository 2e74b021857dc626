package jwtbearer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

var testClient = oauth.Client{ID: "svc", Metadata: oauth.Metadata{Scope: []string{"read", "write"}}}

// testSetup is one handler with its fakes, at a fixed time.
type testSetup struct {
	h      *Handler
	keys   *staticKeys
	signer signer
	now    time.Time
	t      *testing.T
}

func newSetup(t *testing.T, issuers []Issuer, people People) testSetup {
	t.Helper()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := newSigner(t, "k1")
	keys := &staticKeys{set: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.public()}}}
	if issuers == nil {
		issuers = []Issuer{{Issuer: testIssuer, JWKSURL: testJWKSURL}}
	}
	clock := func() time.Time { return now }
	h, err := New(Options{Issuers: issuers, DefaultAudiences: []string{testTokenURL, "https://op.example"},
		Keys: keys, Replay: session.NewMemory(session.MemoryOptions{Clock: clock}), People: people, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return testSetup{h: h, keys: keys, signer: s, now: now, t: t}
}

func (s testSetup) grant(t *testing.T, assertion, scope string) (subject string, scopes []string, oerr *oauth.Error) {
	t.Helper()
	form := url.Values{"assertion": {assertion}}
	if scope != "" {
		form.Set("scope", scope)
	}
	is, oerr := s.h.Grant(t.Context(), testClient, form)
	if oerr == nil && !is.AccessOnly {
		t.Error("the grant asks for more than an access token")
	}
	return is.Subject, is.Scopes, oerr
}

// edit returns good claims changed by f.
func edit(f func(c map[string]any, now time.Time)) func(s testSetup) string {
	return func(s testSetup) string {
		c := goodClaims(s.now, "jti-1")
		f(c, s.now)
		return s.signer.sign(s.t, c)
	}
}

// unsigned is a JWS with alg none.
func unsigned(s testSetup) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"iss":"`+testIssuer+`","sub":"bob"}`)) + "."
}

// TestGrantRefusals walks every refusal of the grant: the error code, the
// status and the check the description names.
func TestGrantRefusals(t *testing.T) {
	outage := errors.Join(storage.ErrUnavailable, errors.New("directory down"))
	tests := []struct {
		name      string
		assertion func(s testSetup) string
		scope     string
		people    People
		keysErr   error
		wantCode  string
		wantDesc  string
	}{
		{name: "missing", assertion: func(testSetup) string { return "" }, wantCode: "invalid_request", wantDesc: "assertion: missing"},
		{name: "too long", assertion: func(testSetup) string { return strings.Repeat("a", oauth.MaxAssertion+1) },
			wantCode: "invalid_request", wantDesc: "longer than"},
		{name: "not a JWT", assertion: func(testSetup) string { return "not.a.jwt" }, wantCode: "invalid_grant", wantDesc: "not a JWS"},
		{name: "alg none", assertion: unsigned, wantCode: "invalid_grant", wantDesc: "not a JWS signed with an accepted algorithm"},
		{name: "alg HS256", assertion: func(s testSetup) string {
			return signWith(t, jose.SigningKey{Algorithm: jose.HS256, Key: []byte(strings.Repeat("k", 32))}, goodClaims(s.now, "j"))
		}, wantCode: "invalid_grant", wantDesc: "accepted algorithm"},
		{name: "unknown issuer", assertion: edit(func(c map[string]any, _ time.Time) { c["iss"] = "https://evil.example" }),
			wantCode: "invalid_grant", wantDesc: "iss: not a trusted issuer"},
		{name: "no iss", assertion: edit(func(c map[string]any, _ time.Time) { delete(c, "iss") }),
			wantCode: "invalid_grant", wantDesc: "iss: not a trusted issuer"},
		{name: "signed by another key", assertion: func(s testSetup) string {
			return newSigner(t, "k1").sign(t, goodClaims(s.now, "j"))
		}, wantCode: "invalid_grant", wantDesc: "signature: does not verify"},
		{name: "issuer keys unreachable", assertion: edit(func(map[string]any, time.Time) {}), keysErr: errors.New("dial tcp: refused"),
			wantCode: "temporarily_unavailable", wantDesc: "signing keys cannot be fetched"},
		{name: "no sub", assertion: edit(func(c map[string]any, _ time.Time) { delete(c, "sub") }),
			wantCode: "invalid_grant", wantDesc: "sub: missing"},
		{name: "sub not a string", assertion: edit(func(c map[string]any, _ time.Time) { c["sub"] = 42 }),
			wantCode: "invalid_grant", wantDesc: "sub: missing or not a string"},
		{name: "wrong audience", assertion: edit(func(c map[string]any, _ time.Time) { c["aud"] = "https://other.example/token" }),
			wantCode: "invalid_grant", wantDesc: "aud: does not name this server"},
		{name: "no audience", assertion: edit(func(c map[string]any, _ time.Time) { delete(c, "aud") }),
			wantCode: "invalid_grant", wantDesc: "aud:"},
		{name: "no exp", assertion: edit(func(c map[string]any, _ time.Time) { delete(c, "exp") }),
			wantCode: "invalid_grant", wantDesc: "exp: missing"},
		{name: "expired", assertion: edit(func(c map[string]any, now time.Time) {
			c["iat"], c["exp"] = now.Add(-5*time.Minute).Unix(), now.Add(-time.Minute).Unix()
		}), wantCode: "invalid_grant", wantDesc: "exp: expired"},
		{name: "lives too long", assertion: edit(func(c map[string]any, now time.Time) { c["exp"] = now.Add(time.Hour).Unix() }),
			wantCode: "invalid_grant", wantDesc: "exp: lies 1h0m0s after iat"},
		{name: "lives too long without iat", assertion: edit(func(c map[string]any, now time.Time) {
			delete(c, "iat")
			c["exp"] = now.Add(time.Hour).Unix()
		}), wantCode: "invalid_grant", wantDesc: "exp: lies"},
		{name: "nbf in the future", assertion: edit(func(c map[string]any, now time.Time) { c["nbf"] = now.Add(2 * time.Minute).Unix() }),
			wantCode: "invalid_grant", wantDesc: "nbf: not valid yet"},
		{name: "iat in the future", assertion: edit(func(c map[string]any, now time.Time) { c["iat"] = now.Add(2 * time.Minute).Unix() }),
			wantCode: "invalid_grant", wantDesc: "iat: in the future"},
		{name: "no jti", assertion: edit(func(c map[string]any, _ time.Time) { delete(c, "jti") }),
			wantCode: "invalid_grant", wantDesc: "jti: missing"},
		{name: "unknown person", assertion: edit(func(c map[string]any, _ time.Time) { c["sub"] = "mallory" }),
			wantCode: "invalid_grant", wantDesc: "sub: names no person in the directory"},
		{name: "account closed by an administrator", assertion: edit(func(map[string]any, time.Time) {}),
			people:   fakePeople{err: fmt.Errorf("user: account disabled: %w", storage.ErrInactive)},
			wantCode: "invalid_grant", wantDesc: "assertion: the person may no longer sign in"},
		{name: "directory outage", assertion: edit(func(map[string]any, time.Time) {}), people: fakePeople{err: outage},
			wantCode: "temporarily_unavailable"},
		{name: "scope not registered", assertion: edit(func(map[string]any, time.Time) {}), scope: "read admin",
			wantCode: "invalid_scope", wantDesc: "scope: admin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			people := tc.people
			if people == nil {
				people = fakePeople{}
			}
			s := newSetup(t, nil, people)
			s.keys.err = tc.keysErr
			_, _, oerr := s.grant(t, tc.assertion(s), tc.scope)
			if oerr == nil {
				t.Fatalf("granted; want %s", tc.wantCode)
			}
			wantStatus := http.StatusBadRequest
			if tc.wantCode == "temporarily_unavailable" {
				wantStatus = http.StatusServiceUnavailable
			}
			if oerr.Code != tc.wantCode || oerr.Status != wantStatus || !strings.Contains(oerr.Description, tc.wantDesc) {
				t.Errorf("got %d %s %q; want %d %s with %q", oerr.Status, oerr.Code, oerr.Description, wantStatus, tc.wantCode, tc.wantDesc)
			}
		})
	}
}

// TestGrantIssues: an assertion that passes every check gives the
// person's subject and the scope asked for, or all the client registered.
func TestGrantIssues(t *testing.T) {
	tests := []struct {
		name       string
		issuers    []Issuer
		claims     func(c map[string]any)
		scope      string
		wantScopes []string
	}{
		{name: "by username, aud the token endpoint", claims: func(map[string]any) {}, scope: "read", wantScopes: []string{"read"}},
		{name: "aud a list naming our issuer", claims: func(c map[string]any) { c["aud"] = []string{"x", "https://op.example"} },
			wantScopes: []string{"read", "write"}},
		{name: "by subject from another claim", issuers: []Issuer{{Issuer: testIssuer, JWKSURL: testJWKSURL,
			SubjectClaim: "employee", Lookup: LookupSubject, Audiences: []string{"urn:op"}}},
			claims: func(c map[string]any) { c["employee"], c["aud"] = bobSubject, "urn:op" }, wantScopes: []string{"read", "write"}},
		{name: "within the leeway of exp", claims: func(c map[string]any) { c["exp"] = c["iat"].(int64) - 10 },
			wantScopes: []string{"read", "write"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(t, tc.issuers, fakePeople{})
			c := goodClaims(s.now, "j")
			tc.claims(c)
			sub, scopes, oerr := s.grant(t, s.signer.sign(t, c), tc.scope)
			if oerr != nil {
				t.Fatal(oerr)
			}
			if sub != bobSubject || !slices.Equal(scopes, tc.wantScopes) {
				t.Errorf("got %s %v; want %s %v", sub, scopes, bobSubject, tc.wantScopes)
			}
		})
	}
}

// TestGrantSingleUse: an assertion is taken once; one refused for an
// outage is not used up; the same jti from another issuer is another
// assertion.
func TestGrantSingleUse(t *testing.T) {
	s := newSetup(t, nil, fakePeople{})
	raw := s.signer.sign(t, goodClaims(s.now, "once"))
	s.h.people = fakePeople{err: storage.ErrUnavailable}
	if _, _, oerr := s.grant(t, raw, ""); oerr == nil || oerr.Code != "temporarily_unavailable" {
		t.Fatalf("during the outage: %v", oerr)
	}
	s.h.people = fakePeople{}
	if _, _, oerr := s.grant(t, raw, ""); oerr != nil {
		t.Fatalf("after the outage: %v", oerr)
	}
	_, _, oerr := s.grant(t, raw, "")
	if oerr == nil || oerr.Code != "invalid_grant" || !strings.Contains(oerr.Description, "jti: used before") {
		t.Fatalf("replayed: %v", oerr)
	}
	// That another issuer's jti of the same value is a record of its own
	// is session.Once's (TestOnceScopes).
}

// TestGrantKeyRotation: a kid missing from the cached set fetches the
// set again once; a kid absent from the fresh set too is refused.
func TestGrantKeyRotation(t *testing.T) {
	s := newSetup(t, nil, fakePeople{})
	rotated := newSigner(t, "k2")
	s.keys.refreshed = jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.signer.public(), rotated.public()}}
	if _, _, oerr := s.grant(t, rotated.sign(t, goodClaims(s.now, "a")), ""); oerr != nil {
		t.Fatalf("rotated key: %v", oerr)
	}
	if s.keys.refreshes != 1 {
		t.Errorf("%d refreshes, want 1", s.keys.refreshes)
	}
	_, _, oerr := s.grant(t, newSigner(t, "k3").sign(t, goodClaims(s.now, "b")), "")
	if oerr == nil || !strings.Contains(oerr.Description, "signature") {
		t.Fatalf("unknown kid: %v", oerr)
	}
}

// TestNewRefusesBadIssuers: configuration mistakes stop the start.
func TestNewRefusesBadIssuers(t *testing.T) {
	for _, is := range [][]Issuer{
		{{JWKSURL: testJWKSURL}},
		{{Issuer: testIssuer, JWKSURL: "/relative"}},
		{{Issuer: testIssuer, JWKSURL: testJWKSURL, Lookup: "mail"}},
		{{Issuer: testIssuer, JWKSURL: testJWKSURL}, {Issuer: testIssuer, JWKSURL: testJWKSURL}},
	} {
		_, err := New(Options{Issuers: is, DefaultAudiences: []string{testTokenURL}, Keys: &staticKeys{},
			Replay: session.NewMemory(session.MemoryOptions{}), People: fakePeople{}})
		if err == nil {
			t.Errorf("New(%+v) accepted", is)
		}
	}
}

// TestGrantRefusesPublicClients: a client that cannot authenticate
// cannot trade an assertion, however good.
func TestGrantRefusesPublicClients(t *testing.T) {
	s := newSetup(t, nil, fakePeople{})
	public := testClient
	public.Metadata.TokenEndpointAuthMethod = "none"
	_, oerr := s.h.Grant(t.Context(), public, url.Values{"assertion": {edit(func(map[string]any, time.Time) {})(s)}})
	if oerr == nil || oerr.Code != "unauthorized_client" {
		t.Fatalf("got %v, want unauthorized_client", oerr)
	}
}

// TestGrantIssuerClients: an issuer configured with clients accepts its
// assertions from those clients only.
func TestGrantIssuerClients(t *testing.T) {
	for _, tc := range []struct {
		clients []string
		ok      bool
	}{{nil, true}, {[]string{testClient.ID}, true}, {[]string{"another"}, false}} {
		s := newSetup(t, []Issuer{{Issuer: testIssuer, JWKSURL: testJWKSURL, Clients: tc.clients}}, fakePeople{})
		_, _, oerr := s.grant(t, edit(func(map[string]any, time.Time) {})(s), "")
		if (oerr == nil) != tc.ok || (oerr != nil && oerr.Code != "unauthorized_client") {
			t.Errorf("clients %v: %v, want accepted %v", tc.clients, oerr, tc.ok)
		}
	}
}
