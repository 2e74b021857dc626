package token

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestRefreshTokenRoundTrip(t *testing.T) {
	for _, key := range [][2]string{
		{"5f0c8a56-3d6e-4c52-9a0e-2b7d1e4f6a01", "demo-rp"},
		{"müller", "日本語-クライアント"},
		{"a.b.c", "x)(uid=*"},
	} {
		tok := newRefreshToken(key[0], key[1])
		got, err := parseRefreshToken(tok.String())
		if err != nil || got != tok {
			t.Errorf("parse(%q) = %+v, %v; want %+v", tok.String(), got, err, tok)
		}
		if len(tok.Hash()) != 64 || strings.Contains(tok.Hash(), tok.Secret) {
			t.Errorf("Hash() = %q", tok.Hash())
		}
	}
	first, second := newRefreshToken("s", "c"), newRefreshToken("s", "c")
	if first.Secret == second.Secret {
		t.Error("two tokens with one secret")
	}
}

func TestParseRefreshTokenRefuses(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	good := newRefreshToken("alice", "rp")
	secret := good.Secret
	tests := []struct {
		name, token string
	}{
		{name: "empty", token: ""},
		{name: "two parts", token: secret + "." + enc([]byte("alice"))},
		{name: "four parts", token: good.String() + ".x"},
		{name: "short secret", token: secret[:40] + "." + enc([]byte("alice")) + "." + enc([]byte("rp"))},
		{name: "secret not base64url", token: strings.Repeat("+", 43) + "." + enc([]byte("alice")) + "." + enc([]byte("rp"))},
		{name: "padded", token: secret + "=." + enc([]byte("alice")) + "." + enc([]byte("rp"))},
		{name: "empty subject", token: secret + ".." + enc([]byte("rp"))},
		{name: "empty client", token: secret + "." + enc([]byte("alice")) + "."},
		{name: "subject not UTF-8", token: secret + "." + enc([]byte{0xff, 0xfe}) + "." + enc([]byte("rp"))},
		{name: "non-canonical base64", token: secret[:42] + "B." + enc([]byte("alice")) + "." + enc([]byte("rp"))},
		{name: "too long", token: secret + "." + enc([]byte(strings.Repeat("a", maxRefreshToken))) + "." + enc([]byte("rp"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := parseRefreshToken(tc.token); err == nil {
				t.Errorf("parse(%q) = %+v, want an error", tc.token, got)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	h := &Handler{Options: Options{RefreshTokenLifetime: 24 * time.Hour, Now: func() time.Time { return now }}}
	a := oauth.Authorization{
		Scopes: []string{"openid", "profile", "offline_access"}, RefreshTokenHash: "cur",
		RefreshTokenIssuedAt: now.Add(-time.Hour), RotatedRefreshHashes: []string{"old-1", "old-2"},
	}
	tests := []struct {
		name      string
		change    func(*oauth.Authorization)
		hash      string
		requested []string
		want      verdict
	}{
		{name: "current", hash: "cur", want: verdictCurrent},
		{name: "narrower scope", hash: "cur", requested: []string{"openid"}, want: verdictCurrent},
		{name: "wider scope", hash: "cur", requested: []string{"openid", "email"}, want: verdictScope},
		{name: "rotated", hash: "old-2", want: verdictReused},
		{name: "unknown", hash: "other", want: verdictUnknown},
		{name: "revoked", hash: "cur", change: func(a *oauth.Authorization) { a.RefreshTokenHash = "" }, want: verdictUnknown},
		{name: "family expired by default lifetime", hash: "cur",
			change: func(a *oauth.Authorization) { a.RefreshTokenIssuedAt = now.Add(-24 * time.Hour) }, want: verdictExpired},
		{name: "family expired by own lifetime", hash: "cur",
			change: func(a *oauth.Authorization) { a.RefreshTokenLifetime = 30 * time.Minute }, want: verdictExpired},
		{name: "own lifetime longer than default", hash: "cur", change: func(a *oauth.Authorization) {
			a.RefreshTokenIssuedAt, a.RefreshTokenLifetime = now.Add(-48*time.Hour), 72*time.Hour
		}, want: verdictCurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := a
			a.RotatedRefreshHashes = append([]string(nil), a.RotatedRefreshHashes...)
			if tc.change != nil {
				tc.change(&a)
			}
			if got := h.judge(a, tc.hash, tc.requested); got != tc.want {
				t.Errorf("judge = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRotateBounded(t *testing.T) {
	a := oauth.Authorization{RefreshTokenHash: "h0"}
	for i := 1; i <= maxRotated+5; i++ {
		a = rotate(a, "h"+string(rune('a'+i)))
	}
	if len(a.RotatedRefreshHashes) != maxRotated {
		t.Errorf("%d rotated hashes kept, want %d", len(a.RotatedRefreshHashes), maxRotated)
	}
	if a.RotatedRefreshHashes[0] != "h"+string(rune('a'+maxRotated+4)) {
		t.Errorf("most recent first: %q", a.RotatedRefreshHashes[:2])
	}
	r := revokeRefresh(a)
	if r.RefreshTokenHash != "" || r.RotatedRefreshHashes != nil || !r.RefreshTokenIssuedAt.IsZero() {
		t.Errorf("revokeRefresh left %+v", r)
	}
}
