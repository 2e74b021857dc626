package token

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/resource"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/provider/tokens"
)

const (
	exchangeIssuer = "https://idp.example"
	apiAudience    = "https://api.example"
)

// exchangeSetup is a handler with the parts token exchange uses: a
// minter, the revoked-token list, and a minter whose clock is two hours
// behind, for expired tokens.
type exchangeSetup struct {
	h          *Handler
	old        *tokens.Minter
	revocation *resource.Revocations
	gw, other  oauth.Client
}

func newExchangeSetup(t *testing.T) exchangeSetup {
	t.Helper()
	keys, err := keyset.Generate()
	if err != nil {
		t.Fatal(err)
	}
	minter := func(now func() time.Time) *tokens.Minter {
		m, err := tokens.New(tokens.Options{Issuer: exchangeIssuer, Keys: keys, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	audiences, _ := json.Marshal([]string{apiAudience})
	gw := oauth.Client{ID: "gw", Metadata: oauth.Metadata{Scope: []string{"openid", "read", "write"},
		Extra: map[string]json.RawMessage{ExchangeAudiences: audiences}}}
	revocations := resource.NewRevocations(session.NewMemory(session.MemoryOptions{}), nil)
	h := &Handler{Options: Options{Minter: minter(time.Now), Revoker: revocations, Now: time.Now, AccessTokenLifetime: time.Minute}}
	return exchangeSetup{h: h, old: minter(func() time.Time { return time.Now().Add(-2 * time.Hour) }),
		revocation: revocations, gw: gw, other: oauth.Client{ID: "other"}}
}

// access mints an access token of alice's with the given scope.
func (s exchangeSetup) access(t *testing.T, m *tokens.Minter, scopes ...string) (string, tokens.AccessClaims) {
	t.Helper()
	if m == nil {
		m = s.h.Minter
	}
	raw, claims, err := m.AccessToken(t.Context(), tokens.AccessToken{ClientID: "app", Subject: "alice", Scopes: scopes})
	if err != nil {
		t.Fatal(err)
	}
	return raw, claims
}

// idToken mints an ID token of alice's for client c.
func (s exchangeSetup) idToken(t *testing.T, m *tokens.Minter, c oauth.Client) string {
	t.Helper()
	if m == nil {
		m = s.h.Minter
	}
	raw, err := m.IDToken(t.Context(), tokens.IDToken{Client: c, Subject: "alice", AuthTime: time.Now().Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func (s exchangeSetup) exchange(t *testing.T, c oauth.Client, form url.Values) (response, *oauth.Error) {
	t.Helper()
	return s.h.tokenExchange(t.Context(), c, form)
}

// failingList is a revocation list that cannot be read.
type failingList struct{}

func (failingList) Revoke(context.Context, string, time.Time) error { return storage.ErrUnavailable }
func (failingList) Revoked(context.Context, string) (bool, error) {
	return false, errors.Join(storage.ErrUnavailable, errors.New("redis down"))
}

// TestExchangeRefusals walks every refusal of the token exchange grant.
func TestExchangeRefusals(t *testing.T) {
	s := newExchangeSetup(t)
	subject, _ := s.access(t, nil, "read")
	revoked, revokedClaims := s.access(t, nil, "read")
	if err := s.revocation.Revoke(t.Context(), revokedClaims.JTI, revokedClaims.ExpiresAt); err != nil {
		t.Fatal(err)
	}
	expired, _ := s.access(t, s.old, "read")
	pairwiseGW := s.gw
	pairwiseGW.Metadata.SubjectType = "pairwise"
	const at, it = tokenTypeAccess, tokenTypeID
	tests := []struct {
		name     string
		client   *oauth.Client
		form     url.Values
		failing  bool // the revocation list cannot be read
		wantCode string
		wantDesc string
	}{
		{name: "client without audiences", client: &s.other, form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at}},
			wantCode: "unauthorized_client", wantDesc: ExchangeAudiences},
		{name: "no audience", form: url.Values{"subject_token": {subject}, "subject_token_type": {at}},
			wantCode: "invalid_request", wantDesc: "audience or resource: required"},
		{name: "audience not allowed", form: url.Values{"audience": {"https://other.example"}, "subject_token": {subject}, "subject_token_type": {at}},
			wantCode: "invalid_target", wantDesc: "audience:"},
		{name: "requested id_token", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at}, "requested_token_type": {it}},
			wantCode: "invalid_request", wantDesc: "requested_token_type"},
		{name: "no subject_token", form: url.Values{"audience": {apiAudience}, "subject_token_type": {at}},
			wantCode: "invalid_request", wantDesc: "subject_token: missing"},
		{name: "no subject_token_type", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}},
			wantCode: "invalid_request", wantDesc: "subject_token_type: missing"},
		{name: "unknown subject_token_type", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}},
			wantCode: "invalid_request", wantDesc: "subject_token_type: only"},
		{name: "actor_token_type alone", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at}, "actor_token_type": {at}},
			wantCode: "invalid_request", wantDesc: "actor_token_type: given without actor_token"},
		{name: "actor_token without type", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at}, "actor_token": {subject}},
			wantCode: "invalid_request", wantDesc: "actor_token_type: missing"},
		{name: "actor ID token", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at},
			"actor_token": {s.idToken(t, nil, s.gw)}, "actor_token_type": {it}}, wantCode: "invalid_request", wantDesc: "actor_token_type: only"},
		{name: "forged subject_token", form: url.Values{"audience": {apiAudience}, "subject_token": {subject + "x"}, "subject_token_type": {at}},
			wantCode: "invalid_request", wantDesc: "subject_token: not a valid access token"},
		{name: "expired subject_token", form: url.Values{"audience": {apiAudience}, "subject_token": {expired}, "subject_token_type": {at}},
			wantCode: "invalid_request", wantDesc: "subject_token: not a valid access token"},
		{name: "revoked subject_token", form: url.Values{"audience": {apiAudience}, "subject_token": {revoked}, "subject_token_type": {at}},
			wantCode: "invalid_request", wantDesc: "subject_token: revoked"},
		{name: "revoked actor_token", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at},
			"actor_token": {revoked}, "actor_token_type": {at}}, wantCode: "invalid_request", wantDesc: "actor_token: revoked"},
		{name: "revocation list unreadable", failing: true, form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at}},
			wantCode: "temporarily_unavailable"},
		{name: "ID token sent as access token", form: url.Values{"audience": {apiAudience}, "subject_token": {s.idToken(t, nil, s.gw)}, "subject_token_type": {at}},
			wantCode: "invalid_request", wantDesc: "not a valid access token"},
		{name: "access token sent as ID token", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {it}},
			wantCode: "invalid_request", wantDesc: "not an ID token of this server issued to the client"},
		{name: "ID token of another client", form: url.Values{"audience": {apiAudience}, "subject_token": {s.idToken(t, nil, oauth.Client{ID: "app"})}, "subject_token_type": {it}},
			wantCode: "invalid_request", wantDesc: "not an ID token of this server issued to the client"},
		{name: "expired ID token", form: url.Values{"audience": {apiAudience}, "subject_token": {s.idToken(t, s.old, s.gw)}, "subject_token_type": {it}},
			wantCode: "invalid_request", wantDesc: "the ID token has expired"},
		{name: "encrypted ID token", form: url.Values{"audience": {apiAudience}, "subject_token": {"a.b.c.d.e"}, "subject_token_type": {it}},
			wantCode: "invalid_request", wantDesc: "encrypted"},
		{name: "ID token of a pairwise client", client: &pairwiseGW, form: url.Values{"audience": {apiAudience}, "subject_token": {s.idToken(t, nil, s.gw)}, "subject_token_type": {it}},
			wantCode: "invalid_request", wantDesc: "pairwise"},
		{name: "scope wider than the subject_token's", form: url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {at}, "scope": {"read write"}},
			wantCode: "invalid_scope", wantDesc: "scope: write is not in the subject_token's scope"},
		{name: "scope wider than the client's, ID token", form: url.Values{"audience": {apiAudience}, "subject_token": {s.idToken(t, nil, s.gw)}, "subject_token_type": {it}, "scope": {"admin"}},
			wantCode: "invalid_scope", wantDesc: "scope: admin is not in the client's registered scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := s.gw
			if tc.client != nil {
				c = *tc.client
			}
			h := *s.h
			if tc.failing {
				h.Revoker = failingList{}
			}
			_, oerr := h.tokenExchange(t.Context(), c, tc.form)
			if oerr == nil {
				t.Fatalf("exchanged; want %s", tc.wantCode)
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

// TestExchangeIDToken: an ID token issued to the requesting client is
// exchanged for an access token of its person, with the client's scopes.
func TestExchangeIDToken(t *testing.T) {
	s := newExchangeSetup(t)
	resp, oerr := s.exchange(t, s.gw, url.Values{"audience": {apiAudience}, "subject_token": {s.idToken(t, nil, s.gw)},
		"subject_token_type": {tokenTypeID}, "scope": {"read"}})
	if oerr != nil {
		t.Fatal(oerr)
	}
	claims, err := s.h.Minter.ParseAccessToken(t.Context(), resp.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != "alice" || claims.ClientID != "gw" || resp.Scope != "read" || claims.AuthTime.IsZero() ||
		len(claims.Audience) != 1 || claims.Audience[0] != apiAudience {
		t.Errorf("issued %+v, scope %q", claims, resp.Scope)
	}
}

// TestExchangeNestedAct: a token that was itself exchanged with an actor,
// used as the actor of a second exchange, nests its act inside the new
// one (RFC 8693 §4.1): the newest actor outermost.
func TestExchangeNestedAct(t *testing.T) {
	s := newExchangeSetup(t)
	subject, _ := s.access(t, nil, "read")
	service, _, err := s.h.Minter.AccessToken(t.Context(), tokens.AccessToken{ClientID: "svc", Subject: "svc", Scopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	first, oerr := s.exchange(t, s.gw, url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {tokenTypeAccess},
		"actor_token": {service}, "actor_token_type": {tokenTypeAccess}})
	if oerr != nil {
		t.Fatal(oerr)
	}
	second, oerr := s.exchange(t, s.gw, url.Values{"audience": {apiAudience}, "subject_token": {subject}, "subject_token_type": {tokenTypeAccess},
		"actor_token": {first.AccessToken}, "actor_token_type": {tokenTypeAccess}})
	if oerr != nil {
		t.Fatal(oerr)
	}
	p, err := payloadOf(second.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(p.Act)
	if want := `{"act":{"sub":"svc"},"sub":"alice"}`; string(got) != want {
		t.Errorf("act %s, want %s", got, want)
	}
}
