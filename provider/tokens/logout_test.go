package tokens

import (
	"context"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestLogoutToken(t *testing.T) {
	set := fullSet()
	m := newMinter(t, set, newClock())
	tests := []struct {
		name     string
		alg      string
		sub, sid string
		wantErr  bool
	}{
		{name: "sub and sid, default RS256", sub: "u1", sid: "s1"},
		{name: "sid only, ES256", alg: "ES256", sid: "s2"},
		{name: "sub only, PS256", alg: "PS256", sub: "u3"},
		{name: "neither", sub: "", sid: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := client(func(md *oauth.Metadata) { md.IDTokenSignedResponseAlg = tc.alg })
			token, jti, err := m.LogoutToken(context.Background(), LogoutToken{Client: c, Subject: tc.sub, SID: tc.sid})
			if tc.wantErr {
				if err == nil {
					t.Fatal("minted a logout token about no one")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			alg := tc.alg
			if alg == "" {
				alg = "RS256"
			}
			kid, _ := unverifiedHeader(t, token)["kid"].(string)
			h, claims := verifyJWS(t, token, jose.SignatureAlgorithm(alg), publicKey(t, set, kid))
			if typ := h.ExtraHeaders[jose.HeaderType]; typ != LogoutTokenType {
				t.Errorf("typ = %v, want %s", typ, LogoutTokenType)
			}
			want := map[string]any{"iss": testIssuer, "aud": c.ID, "jti": jti}
			if tc.sub != "" {
				want["sub"] = tc.sub
			}
			if tc.sid != "" {
				want["sid"] = tc.sid
			}
			for k, v := range want {
				if claims[k] != v {
					t.Errorf("%s = %v, want %v", k, claims[k], v)
				}
			}
			for _, absent := range []string{"nonce", "sub", "sid"} {
				if _, ok := claims[absent]; ok && want[absent] == nil {
					t.Errorf("claim %s present: %v", absent, claims[absent])
				}
			}
			events, _ := claims["events"].(map[string]any)
			if ev, ok := events[BackchannelLogoutEvent].(map[string]any); !ok || len(ev) != 0 || len(events) != 1 {
				t.Errorf("events = %v", claims["events"])
			}
			if iat, exp := numeric(t, claims, "iat"), numeric(t, claims, "exp"); exp-iat != int64(DefaultLogoutTokenLifetime/time.Second) {
				t.Errorf("lifetime %d s, want %v", exp-iat, DefaultLogoutTokenLifetime)
			}
		})
	}
}
