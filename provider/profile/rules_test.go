package profile

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// good is a client that keeps every rule.
func good() oauth.Metadata {
	return oauth.Metadata{
		TokenEndpointAuthMethod: "private_key_jwt", TokenEndpointAuthSigningAlg: "ES256",
		IDTokenSignedResponseAlg: "PS256", AuthorizationSignedResponseAlg: "PS256",
		ResponseTypes: []string{"code"},
	}
}

func goodFacts() Facts {
	return Facts{Client: good(), AuthMethod: "private_key_jwt", Pushed: true, ResponseType: "code",
		ResponseMode: "query.jwt", CodeChallengeMethod: "S256", RequestObjectAlg: "PS256", SenderConstrained: true}
}

// TestRules: each rule, broken alone, is reported by name where it
// applies, and only under its profile.
func TestRules(t *testing.T) {
	tests := []struct {
		name    string
		profile string
		at      Stage
		change  func(f *Facts)
		rule    string // "" when nothing is broken
	}{
		{"all kept, push", MessageSigning, AtPush, func(*Facts) {}, ""},
		{"all kept, token", Security, AtToken, func(*Facts) {}, ""},
		{"all kept, registration", MessageSigning, AtRegistration, func(*Facts) {}, ""},
		{"no profile", None, AtAuthorize, func(f *Facts) { f.Pushed = false }, ""},
		{"not pushed", Security, AtAuthorize, func(f *Facts) { f.Pushed = false }, "fapi2: PAR required"},
		{"client_secret_basic at /token", Security, AtToken, func(f *Facts) { f.AuthMethod = "client_secret_basic" }, "fapi2: client authentication"},
		{"client_secret_jwt at registration", Security, AtRegistration, func(f *Facts) { f.AuthMethod = "client_secret_jwt" }, "fapi2: client authentication"},
		{"none at /par", Security, AtPush, func(f *Facts) { f.AuthMethod = "none" }, "fapi2: client authentication"},
		{"RS256 ID tokens", Security, AtRegistration, func(f *Facts) { f.Client.IDTokenSignedResponseAlg = "RS256" }, "fapi2: signing algorithms"},
		{"no ID token alg", Security, AtToken, func(f *Facts) { f.Client.IDTokenSignedResponseAlg = "" }, "fapi2: signing algorithms"},
		{"HS256 assertions", Security, AtRegistration, func(f *Facts) { f.Client.TokenEndpointAuthSigningAlg = "HS256" }, "fapi2: signing algorithms"},
		{"no assertion alg", Security, AtPush, func(f *Facts) { f.Client.TokenEndpointAuthSigningAlg = "" }, "fapi2: signing algorithms"},
		{"RS256 userinfo", Security, AtRegistration, func(f *Facts) { f.Client.UserinfoSignedResponseAlg = "RS256" }, "fapi2: signing algorithms"},
		{"none request objects", Security, AtRegistration, func(f *Facts) { f.Client.RequestObjectSigningAlg = "none" }, "fapi2: signing algorithms"},
		{"RS256 request object", Security, AtPush, func(f *Facts) { f.RequestObjectAlg = "RS256" }, "fapi2: signing algorithms"},
		{"token response type", Security, AtRegistration, func(f *Facts) { f.Client.ResponseTypes = []string{"code", "code id_token"} }, "fapi2: response_type code only"},
		{"hybrid push", Security, AtPush, func(f *Facts) { f.ResponseType = "code id_token" }, "fapi2: response_type code only"},
		{"no PKCE", Security, AtPush, func(f *Facts) { f.CodeChallengeMethod = "" }, "fapi2: PKCE S256 required"},
		{"plain PKCE", Security, AtPush, func(f *Facts) { f.CodeChallengeMethod = "plain" }, "fapi2: PKCE S256 required"},
		{"bearer tokens", Security, AtToken, func(f *Facts) { f.SenderConstrained = false }, "fapi2: sender-constrained tokens"},
		{"no request object", MessageSigning, AtPush, func(f *Facts) { f.RequestObjectAlg = "" }, "fapi2-message-signing: signed request object"},
		{"no request object, security only", Security, AtPush, func(f *Facts) { f.RequestObjectAlg = "" }, ""},
		{"plain response mode", MessageSigning, AtPush, func(f *Facts) { f.ResponseMode = "query" }, "fapi2-message-signing: JARM"},
		{"jwt response mode", MessageSigning, AtPush, func(f *Facts) { f.ResponseMode = "jwt" }, ""},
		{"no JARM alg", MessageSigning, AtRegistration, func(f *Facts) { f.Client.AuthorizationSignedResponseAlg = "" }, "fapi2-message-signing: JARM"},
		{"PKCE is not a /token rule", Security, AtToken, func(f *Facts) { f.CodeChallengeMethod = "" }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := goodFacts()
			tc.change(&f)
			v := Check(tc.profile, tc.at, f)
			switch {
			case tc.rule == "" && v != nil:
				t.Fatalf("refused: %v", v)
			case tc.rule == "":
				return
			case v == nil || v.Rule != tc.rule:
				t.Fatalf("got %v, want rule %q", v, tc.rule)
			}
			if e := v.OAuth(); !strings.HasPrefix(e.Description, tc.rule+": ") {
				t.Errorf("error_description %q does not name the rule", e.Description)
			}
		})
	}
}

func TestRefusalCodes(t *testing.T) {
	f := goodFacts()
	f.AuthMethod = "client_secret_basic"
	if e := Check(Security, AtToken, f).OAuth(); e.Code != "unauthorized_client" {
		t.Errorf("client rule: %s", e.Code)
	}
	f = goodFacts()
	f.SenderConstrained = false
	if e := Check(Security, AtToken, f).OAuth(); e.Code != "invalid_request" {
		t.Errorf("request rule: %s", e.Code)
	}
}

// TestOf: a client may ask for a stronger profile, never a weaker one.
func TestOf(t *testing.T) {
	with := func(v string) oauth.Metadata {
		return oauth.Metadata{Extra: map[string]json.RawMessage{Member: json.RawMessage(v)}}
	}
	for _, tc := range []struct {
		deployment string
		m          oauth.Metadata
		want       string
	}{
		{None, oauth.Metadata{}, None},
		{None, with(`"fapi2-security"`), Security},
		{Security, with(`"fapi2-message-signing"`), MessageSigning},
		{MessageSigning, with(`"fapi2-security"`), MessageSigning},
		{Security, with(`""`), Security},
		{None, with(`true`), None},
	} {
		if got := Of(tc.deployment, tc.m); got != tc.want {
			t.Errorf("Of(%q, %s) = %q, want %q", tc.deployment, tc.m.Extra[Member], got, tc.want)
		}
	}
	p := Policy{Deployment: Security}
	if !p.KeepRefreshTokens(oauth.Metadata{}) || p.CodeLifetime(oauth.Metadata{}) != time.Minute {
		t.Error("profile client: refresh tokens rotated or codes uncapped")
	}
	if (Policy{}).KeepRefreshTokens(oauth.Metadata{}) || (Policy{}).CodeLifetime(oauth.Metadata{}) != 0 {
		t.Error("no profile: refresh tokens kept or codes capped")
	}
}

// TestRegister: defaults are filled in, broken metadata is refused naming
// the rule, and gatehouse_profile must name a profile.
func TestRegister(t *testing.T) {
	m := good()
	m.IDTokenSignedResponseAlg, m.AuthorizationSignedResponseAlg = "", ""
	if e := (Policy{Deployment: MessageSigning}).Register(&m); e != nil || m.IDTokenSignedResponseAlg != "PS256" || m.AuthorizationSignedResponseAlg != "PS256" {
		t.Errorf("defaults: %v %+v", e, m)
	}
	bad := oauth.Metadata{TokenEndpointAuthMethod: "client_secret_basic", ResponseTypes: []string{"code"},
		Extra: map[string]json.RawMessage{Member: json.RawMessage(`"fapi2-security"`)}}
	if e := (Policy{}).Register(&bad); e == nil || e.Code != "invalid_client_metadata" || !strings.HasPrefix(e.Description, "fapi2: client authentication: ") {
		t.Errorf("own profile, secret: %v", e)
	}
	typo := oauth.Metadata{Extra: map[string]json.RawMessage{Member: json.RawMessage(`"fapi3"`)}}
	if e := (Policy{}).Register(&typo); e == nil || !strings.HasPrefix(e.Description, Member+": ") {
		t.Errorf("unknown profile: %v", e)
	}
	plain := oauth.Metadata{TokenEndpointAuthMethod: "client_secret_basic"}
	if e := (Policy{}).Register(&plain); e != nil || plain.IDTokenSignedResponseAlg != "" {
		t.Errorf("no profile: %v %+v", e, plain)
	}
}
