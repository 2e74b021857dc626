package resource

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestRevokeByOwner(t *testing.T) {
	e := newEnv(t)
	tok := e.accessToken(rp, "openid")
	rec := do(e.handler.Revoke, clientPost("/token/revoke", rp, url.Values{"token": {tok}, "token_type_hint": {"access_token"}}))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("revocation: %d %q", rec.Code, rec.Body)
	}
	checkNoStore(t, rec)
	if got := e.introspect(rp, tok); !reflect.DeepEqual(got, inactive) {
		t.Errorf("introspection after revocation: %v", got)
	}
	if rec := do(e.handler.UserInfo, getUserInfo(tok)); rec.Code != http.StatusUnauthorized {
		t.Errorf("userinfo after revocation: %d %s", rec.Code, rec.Body)
	}
	// The entry lasts as long as the token would have, and no longer.
	ac, err := e.minter.ParseAccessToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.kv.Get(context.Background(), revokedPrefix+ac.JTI); err != nil {
		t.Fatalf("no revocation entry: %v", err)
	}
	e.clock.Advance(ac.ExpiresAt.Sub(start) + revocationMargin + time.Second)
	if _, err := e.kv.Get(context.Background(), revokedPrefix+ac.JTI); err == nil {
		t.Error("a revocation entry outlived its token")
	}
}

func TestRevokePublicClient(t *testing.T) {
	e := newEnv(t)
	tok := e.accessToken(public, "openid")
	rec := do(e.handler.Revoke, clientPost("/", "", url.Values{"token": {tok}, "client_id": {public}}))
	if rec.Code != http.StatusOK {
		t.Fatalf("revocation: %d %s", rec.Code, rec.Body)
	}
	if rec := do(e.handler.UserInfo, getUserInfo(tok)); rec.Code != http.StatusUnauthorized {
		t.Errorf("userinfo after revocation: %d", rec.Code)
	}
}

func TestRevokeNoEffect(t *testing.T) {
	tests := []struct {
		name  string
		token string
		hint  string
	}{
		{name: "unknown token", token: "unknown"},
		{name: "unknown hint", token: "unknown", hint: "id_token"},
		{name: "hint access_token", token: "unknown", hint: "access_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			rec := do(e.handler.Revoke, clientPost("/", rp, url.Values{"token": {tc.token}, "token_type_hint": {tc.hint}}))
			if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
				t.Errorf("got %d %q, want 200 and no body", rec.Code, rec.Body)
			}
			checkNoStore(t, rec)
		})
	}
}

func TestRevokeAnotherClientsToken(t *testing.T) {
	e := newEnv(t)
	tok := e.accessToken(rp, "openid")
	rec := do(e.handler.Revoke, clientPost("/", other, url.Values{"token": {tok}}))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("got %d %q, want 200 and no body", rec.Code, rec.Body)
	}
	if got := e.introspect(rp, tok); got["active"] != true {
		t.Errorf("the token of rp was revoked by another client: %v", got)
	}
}

// refreshes is a RefreshRevoker that knows one token of rp.
type refreshes struct {
	err     error
	revoked []string
}

func (r *refreshes) RevokeRefresh(_ context.Context, clientID, token string) (bool, error) {
	if r.err != nil {
		return false, r.err
	}
	if clientID == rp && token == "refresh-1" {
		r.revoked = append(r.revoked, token)
		return true, nil
	}
	return false, nil
}

func TestRevokeRefresh(t *testing.T) {
	tests := []struct {
		name        string
		refresh     *refreshes
		client      string
		hint        string
		wantStatus  int
		wantRevoked bool
	}{
		{name: "no revoker, hinted", hint: "refresh_token", client: rp, wantStatus: http.StatusBadRequest},
		{name: "no revoker, not hinted", client: rp, wantStatus: http.StatusOK},
		{name: "owner", refresh: &refreshes{}, client: rp, hint: "refresh_token", wantStatus: http.StatusOK, wantRevoked: true},
		{name: "owner without hint", refresh: &refreshes{}, client: rp, wantStatus: http.StatusOK, wantRevoked: true},
		{name: "another client", refresh: &refreshes{}, client: other, hint: "refresh_token", wantStatus: http.StatusOK},
		{name: "store down", refresh: &refreshes{err: errors.New("down")}, client: rp, wantStatus: http.StatusServiceUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(o *Options) {
				if tc.refresh != nil {
					o.Refresh = tc.refresh
				}
			})
			form := url.Values{"token": {"refresh-1"}}
			if tc.hint != "" {
				form.Set("token_type_hint", tc.hint)
			}
			rec := do(e.handler.Revoke, clientPost("/", tc.client, form))
			checkNoStore(t, rec)
			if rec.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.wantStatus, rec.Body)
			}
			if tc.wantStatus == http.StatusBadRequest && !reflect.DeepEqual(decode(t, rec.Body.Bytes())["error"], "unsupported_token_type") {
				t.Errorf("body %s, want unsupported_token_type", rec.Body)
			}
			if got := tc.refresh != nil && len(tc.refresh.revoked) == 1; got != tc.wantRevoked {
				t.Errorf("revoked %v, want %v", got, tc.wantRevoked)
			}
		})
	}
}

func TestRevocationsExpired(t *testing.T) {
	e := newEnv(t)
	r := e.handler.Revocations()
	ctx := context.Background()
	if err := r.Revoke(ctx, "old", start.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if revoked, err := r.Revoked(ctx, "old"); err != nil || revoked {
		t.Errorf("an expired token was listed: %v %v", revoked, err)
	}
	if err := r.Revoke(ctx, "", start.Add(time.Hour)); err == nil {
		t.Error("a token without jti was listed")
	}
}
