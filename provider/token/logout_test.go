package token

import (
	"context"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// oneAuthz is an AuthorizationStore holding at most one entry: enough for
// the pure logic of ending a session's refresh tokens.
type oneAuthz struct {
	a     oauth.Authorization
	found bool
}

func (s *oneAuthz) Get(context.Context, string, string) (oauth.Authorization, error) {
	if !s.found {
		return oauth.Authorization{}, storage.ErrNotFound
	}
	return s.a, nil
}

func (s *oneAuthz) Create(_ context.Context, a oauth.Authorization) (oauth.Authorization, error) {
	s.a, s.found = a, true
	return a, nil
}

func (s *oneAuthz) Update(_ context.Context, _, _ string, fn func(oauth.Authorization) (oauth.Authorization, error)) (oauth.Authorization, error) {
	if !s.found {
		return oauth.Authorization{}, storage.ErrNotFound
	}
	a, err := fn(s.a)
	if err != nil {
		return oauth.Authorization{}, err
	}
	s.a = a
	return a, nil
}

func TestEndSessionRefresh(t *testing.T) {
	tests := []struct {
		name    string
		scopes  []string
		grantIn string // the sid of the session the family began in
		endSID  string // the session that ends
		found   bool
		want    bool // tokens revoked
	}{
		{name: "same session, no offline_access", scopes: []string{"profile"}, grantIn: "s1", endSID: "s1", found: true, want: true},
		{name: "same session, offline_access", scopes: []string{"openid", "offline_access"}, grantIn: "s1", endSID: "s1", found: true},
		{name: "another session", scopes: []string{"profile"}, grantIn: "s1", endSID: "s2", found: true},
		{name: "no session (not a browser grant)", scopes: []string{"profile"}, grantIn: "", endSID: "s1", found: true},
		{name: "no authorization", scopes: []string{"profile"}, grantIn: "s1", endSID: "s1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := oauth.Authorization{Subject: "u", ClientID: "c", RefreshTokenHash: "h", RotatedRefreshHashes: []string{"old"},
				Data: map[string]any{"other": "kept"}}
			a.Data = withRefreshSession(a.Data, session.CodeGrant{SessionSID: tc.grantIn, Scopes: tc.scopes})
			store := &oneAuthz{a: a, found: tc.found}
			h := &Handler{Options: Options{Authorizations: store}}
			ended, err := h.EndSessionRefresh(context.Background(), "u", "c", tc.endSID)
			if err != nil {
				t.Fatal(err)
			}
			if ended != tc.want {
				t.Errorf("ended = %v, want %v", ended, tc.want)
			}
			if revoked := store.a.RefreshTokenHash == "" && store.a.RotatedRefreshHashes == nil; revoked != tc.want && tc.found {
				t.Errorf("refresh tokens revoked = %v, want %v (%+v)", revoked, tc.want, store.a)
			}
			if store.found && store.a.Data["other"] != "kept" {
				t.Errorf("other data lost: %v", store.a.Data)
			}
		})
	}
}

func TestWithRefreshSessionClearsOldMark(t *testing.T) {
	data := withRefreshSession(nil, session.CodeGrant{SessionSID: "s1"})
	if data[refreshSessionKey] != "s1" {
		t.Fatalf("not marked: %v", data)
	}
	data = withRefreshSession(data, session.CodeGrant{SessionSID: "s2", Scopes: []string{"offline_access"}})
	if _, ok := data[refreshSessionKey]; ok {
		t.Errorf("an offline family keeps the session mark: %v", data)
	}
}
