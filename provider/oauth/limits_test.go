package oauth

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestLimitsDocumented: docs/limits.md has a row for every limit, with the
// number the code enforces.
func TestLimitsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			continue
		}
		rows[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[2])
	}
	want := map[string]int{
		"`client_id`": MaxClientID, "new `client_id` (`preferred_client_id`, import)": MaxRegisteredClientID,
		"`client_secret`": MaxClientSecret, "`client_assertion`": MaxClientAssertion,
		"`state`": MaxState, "`nonce`": MaxNonce, "`scope`": MaxScope, "scope values": MaxScopeValues,
		"`redirect_uri`": MaxRedirectURI, "`response_type`": MaxResponseType, "`response_mode`": MaxResponseMode,
		"`prompt`": MaxPrompt, "`display`": MaxDisplay, "`ui_locales`": MaxUILocales, "`claims_locales`": MaxClaimsLocales,
		"`acr_values`": MaxACRValues, "`max_age`": MaxMaxAge, "`login_hint`": MaxLoginHint, "`id_token_hint`": MaxIDTokenHint,
		"`claims`": MaxClaims, "`code_challenge`": MaxCodeChallenge, "`code_verifier`": MaxCodeVerifier,
		"request object (`request`, or fetched from `request_uri`)": MaxRequestObject, "`request_uri`": MaxRequestURI,
		"whole authorization request (query or form)": MaxAuthorizationRequest,
		"stored authorization request (JSON)":         MaxStoredAuthorizationRequest,
		"`username`":                                  MaxUsername, "`password`": MaxPassword, "`grant_type`": MaxGrantType, "`code`": MaxCode,
		"`refresh_token`": MaxRefreshToken, "`resource`": MaxResource, "`token`": max(MaxAccessToken, MaxRefreshToken),
		"`token_type_hint`": MaxTokenTypeHint, "access token": MaxAccessToken,
		"token request body": MaxTokenRequest, "registration body": MaxRegistrationBody,
		"pushed authorization request body": MaxPushedRequest,
		"`assertion` (JWT bearer grant)":    MaxAssertion,
	}
	for name, limit := range want {
		got, ok := rows[name]
		if !ok {
			t.Errorf("docs/limits.md has no row %s", name)
			continue
		}
		if got != strconv.Itoa(limit) {
			t.Errorf("docs/limits.md: %s is %s, the code says %d", name, got, limit)
		}
	}
}

func TestOverlong(t *testing.T) {
	limits := []Limit{{Param: "a", Max: 2}, {Param: "b", Max: 3}}
	tests := []struct {
		name   string
		values map[string]string
		want   string
	}{
		{"all at their limits", map[string]string{"a": "xx", "b": "xxx"}, ""},
		{"absent", nil, ""},
		{"first over", map[string]string{"a": "xxx", "b": "xxxx"}, "a"},
		{"second over", map[string]string{"a": "x", "b": "xxxx"}, "b"},
		{"unbounded ignored", map[string]string{"c": "xxxxxxxx"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, over := Overlong(func(n string) string { return tc.values[n] }, limits)
			if over != (tc.want != "") || l.Param != tc.want {
				t.Errorf("got %v %v, want %q", l, over, tc.want)
			}
		})
	}
}
