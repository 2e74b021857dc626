package authorize

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// errorCase is a request that must fail. A shown error has no redirect;
// a redirected one goes to uri (webCallback unless set) in mode (query
// unless set), echoing state (unless noState) and carrying iss.
type errorCase struct {
	name    string
	query   url.Values
	raw     string // used instead of query when set
	deps    func(*Deps)
	code    string
	shown   bool
	param   string // the description begins with "param:"
	uri     string
	mode    string
	noState bool
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			deps := testDeps()
			if tc.deps != nil {
				tc.deps(&deps)
			}
			r := getRequest(tc.query)
			if tc.raw != "" {
				r = rawRequest(tc.raw)
			}
			_, f := parse(t, r, deps)
			if f == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			checkFailure(t, f, tc)
		})
	}
}

func checkFailure(t *testing.T, f *Failure, tc errorCase) {
	t.Helper()
	if f.Err.Code != tc.code {
		t.Errorf("code = %q, want %q (%s)", f.Err.Code, tc.code, f.Err.Description)
	}
	if tc.param != "" && !strings.HasPrefix(f.Err.Description, tc.param+":") {
		t.Errorf("description %q does not name %s", f.Err.Description, tc.param)
	}
	if tc.shown {
		if f.Redirect != nil {
			t.Errorf("redirected to %s, want a page", f.Redirect.RedirectURI)
		}
		return
	}
	if f.Redirect == nil {
		t.Fatalf("shown (%v), want a redirect", f.Err)
	}
	want := tc.uri
	if want == "" {
		want = webCallback
	}
	mode := tc.mode
	if mode == "" {
		mode = ModeQuery
	}
	resp := f.Redirect
	if resp.RedirectURI != want || resp.Mode != mode || resp.Issuer != testIssuer {
		t.Errorf("redirect = %s in %s (iss %s), want %s in %s", resp.RedirectURI, resp.Mode, resp.Issuer, want, mode)
	}
	p := resp.Params
	if p.Get("error") != tc.code || p.Get("error_description") == "" {
		t.Errorf("params = %v", p)
	}
	state := tc.query.Get("state")
	if tc.noState {
		state = ""
	}
	if got := p.Get("state"); got != state {
		t.Errorf("state = %q, want %q", got, state)
	}
}

func TestShownErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "client_id missing", query: with(baseQuery(), "client_id", "-"), code: "invalid_request", shown: true, param: "client_id"},
		{name: "client_id repeated", raw: "client_id=web&client_id=web&response_type=code", code: "invalid_request", shown: true, param: "client_id"},
		{name: "client_id unknown", query: with(baseQuery(), "client_id", "nobody"), code: "invalid_request", shown: true, param: "client_id"},
		{name: "client store unavailable", query: with(baseQuery(), "client_id", "down"), code: "temporarily_unavailable", shown: true},
		{name: "redirect_uri not registered", query: with(baseQuery(), "redirect_uri", "https://evil.example.com/cb"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri differs by a trailing slash", query: with(baseQuery(), "redirect_uri", webCallback+"/"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri differs in case", query: with(baseQuery(), "redirect_uri", "https://RP.example.com/cb"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri is a prefix", query: with(baseQuery(), "redirect_uri", "https://rp.example.com/c"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri repeated", raw: "client_id=web&redirect_uri=" + url.QueryEscape(webCallback) + "&redirect_uri=" + url.QueryEscape(webCallback) + "&response_type=code", code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri relative", query: with(baseQuery(), "redirect_uri", "/cb"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri with fragment", query: with(baseQuery(), "redirect_uri", webCallback+"#x"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri not a URI", query: with(baseQuery(), "redirect_uri", "http://[::1"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri missing with several registered", query: with(baseQuery(), "redirect_uri", "-"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "redirect_uri missing with none registered", query: with(baseQuery(), "client_id", "noredirect", "redirect_uri", "-"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "native: localhost is exact", query: with(baseQuery(), "client_id", "native", "redirect_uri", "http://localhost:5000/cb"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "native: loopback path differs", query: with(baseQuery(), "client_id", "native", "redirect_uri", "http://127.0.0.1:5000/cb2"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "native: https loopback is exact", query: with(baseQuery(), "client_id", "native", "redirect_uri", "https://127.0.0.1:5000/cb"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "web: loopback port is exact", query: with(baseQuery(), "client_id", "webloop", "redirect_uri", "http://127.0.0.1:5000/cb"), code: "invalid_request", shown: true, param: "redirect_uri"},
		{name: "parameters not URL-encoded", raw: "client_id=web&state=%zz", code: "invalid_request", shown: true},
		{name: "request object with unregistered outer redirect_uri", query: jarQuery("not.a.jwt", "redirect_uri", "https://evil.example.com/"), code: "invalid_request", shown: true, param: "redirect_uri"},
	})
}

func TestRedirectedErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{name: "state repeated", raw: baseQuery().Encode() + "&state=again", query: url.Values{}, code: "invalid_request", param: "state", noState: true},
		{name: "scope repeated", raw: baseQuery().Encode() + "&scope=email", query: baseQuery(), code: "invalid_request", param: "scope"},
		{name: "response_type missing", query: with(baseQuery(), "response_type", "-"), code: "invalid_request", param: "response_type"},
		{name: "response_type unknown value", query: with(baseQuery(), "response_type", "code foo"), code: "unsupported_response_type", param: "response_type"},
		{name: "response_type repeats a value", query: with(baseQuery(), "response_type", "code code"), code: "unsupported_response_type", param: "response_type"},
		{name: "response_type none combined", query: with(baseQuery(), "response_type", "none code"), code: "unsupported_response_type", param: "response_type"},
		{name: "response_type not served", query: with(baseQuery(), "response_type", "token", "nonce", "n"), code: "unsupported_response_type", param: "response_type", mode: ModeFragment},
		{name: "response_type not registered", query: with(baseQuery(), "client_id", "single", "redirect_uri", "https://single.example.com/cb", "response_type", "code id_token", "nonce", "n"),
			code: "unauthorized_client", param: "response_type", uri: "https://single.example.com/cb", mode: ModeFragment},
		{name: "response_mode unknown", query: with(baseQuery(), "response_mode", "bogus"), code: "invalid_request", param: "response_mode"},
		{name: "response_mode not enabled", query: with(baseQuery(), "response_mode", ModeQueryJWT), code: "invalid_request", param: "response_mode"},
		{name: "response_mode query with tokens", query: with(baseQuery(), "response_type", "id_token", "nonce", "n", "response_mode", "query"),
			code: "invalid_request", param: "response_mode", mode: ModeFragment},
		{name: "error in the requested mode", query: with(baseQuery(), "response_type", "-", "response_mode", ModeFormPost), code: "invalid_request", param: "response_type", mode: ModeFormPost},
		{name: "scope malformed", query: with(baseQuery(), "scope", `openid pro"file`), code: "invalid_scope", param: "scope"},
		{name: "id_token without openid", query: with(baseQuery(), "response_type", "id_token", "nonce", "n", "scope", "profile"), code: "invalid_scope", param: "scope", mode: ModeFragment},
		{name: "scope not registered", query: with(baseQuery(), "client_id", "scoped", "scope", "openid email"), code: "invalid_scope", param: "scope"},
		{name: "openid request without redirect_uri", query: with(baseQuery(), "client_id", "single", "redirect_uri", "-"),
			code: "invalid_request", param: "redirect_uri", uri: "https://single.example.com/cb"},
		{name: "nonce missing for id_token", query: with(baseQuery(), "response_type", "id_token"), code: "invalid_request", param: "nonce", mode: ModeFragment},
		{name: "nonce missing for code id_token", query: with(baseQuery(), "response_type", "code id_token"), code: "invalid_request", param: "nonce", mode: ModeFragment},
		{name: "pushed requests required", query: with(baseQuery(), "client_id", "par"), code: "invalid_request", param: "client_id"},
		{name: "prompt none with login", query: with(baseQuery(), "prompt", "none login"), code: "invalid_request", param: "prompt"},
		{name: "prompt unknown", query: with(baseQuery(), "prompt", "bogus"), code: "invalid_request", param: "prompt"},
		{name: "max_age negative", query: with(baseQuery(), "max_age", "-1"), code: "invalid_request", param: "max_age"},
		{name: "max_age not a number", query: with(baseQuery(), "max_age", "ten"), code: "invalid_request", param: "max_age"},
		{name: "max_age fractional", query: with(baseQuery(), "max_age", "1.5"), code: "invalid_request", param: "max_age"},
		{name: "max_age with sign", query: with(baseQuery(), "max_age", "+5"), code: "invalid_request", param: "max_age"},
		{name: "max_age too large", query: with(baseQuery(), "max_age", "99999999999"), code: "invalid_request", param: "max_age"},
		{name: "claims not JSON", query: with(baseQuery(), "claims", "{userinfo"), code: "invalid_request", param: "claims"},
		{name: "claims not an object", query: with(baseQuery(), "claims", "[]"), code: "invalid_request", param: "claims"},
		{name: "claims userinfo not an object", query: with(baseQuery(), "claims", `{"userinfo":[]}`), code: "invalid_request", param: "claims"},
		{name: "claims essential not a bool", query: with(baseQuery(), "claims", `{"id_token":{"email":{"essential":"yes"}}}`), code: "invalid_request", param: "claims"},
		{name: "claims values not an array", query: with(baseQuery(), "claims", `{"id_token":{"acr":{"values":"x"}}}`), code: "invalid_request", param: "claims"},
		{name: "request and request_uri", query: jarQuery("a.b.c", "request_uri", "https://objects.example.com/ro/1"), code: "invalid_request", param: "request",
			uri: "https://rp.example.com/jar"},
		{name: "request not supported", query: jarQuery("a.b.c"), deps: func(d *Deps) { d.Config.RequestParameter = false },
			code: "request_not_supported", param: "request", uri: "https://rp.example.com/jar"},
		{name: "request_uri not supported", query: jarQuery("x", "request", "-", "request_uri", "https://objects.example.com/ro/1"),
			deps: func(d *Deps) { d.Config.RequestURIParameter = false }, code: "request_uri_not_supported", param: "request_uri", uri: "https://rp.example.com/jar"},
	})
}

func TestPKCERules(t *testing.T) {
	public := with(baseQuery(), "client_id", "public", "redirect_uri", "https://spa.example.com/cb")
	runErrorCases(t, []errorCase{
		{name: "public client without PKCE", query: public, code: "invalid_request", param: "code_challenge", uri: "https://spa.example.com/cb"},
		{name: "every client when required", query: baseQuery(), deps: func(d *Deps) { d.Config.RequirePKCE = true }, code: "invalid_request", param: "code_challenge"},
		{name: "plain refused", query: with(baseQuery(), "code_challenge", validPKCE, "code_challenge_method", "plain"), code: "invalid_request", param: "code_challenge_method"},
		{name: "method absent means plain", query: with(baseQuery(), "code_challenge", validPKCE), code: "invalid_request", param: "code_challenge_method"},
		{name: "unknown method", query: with(baseQuery(), "code_challenge", validPKCE, "code_challenge_method", "S512"), code: "invalid_request", param: "code_challenge_method"},
		{name: "method without challenge", query: with(baseQuery(), "code_challenge_method", "S256"), code: "invalid_request", param: "code_challenge_method"},
		{name: "challenge too short", query: with(baseQuery(), "code_challenge", validPKCE[:42], "code_challenge_method", "S256"), code: "invalid_request", param: "code_challenge"},
		{name: "challenge too long", query: with(baseQuery(), "code_challenge", strings.Repeat("a", 129), "code_challenge_method", "S256"), code: "invalid_request", param: "code_challenge"},
		{name: "challenge with a reserved character", query: with(baseQuery(), "code_challenge", validPKCE[:42]+"+", "code_challenge_method", "S256"), code: "invalid_request", param: "code_challenge"},
	})

	t.Run("accepted", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			query     url.Values
			challenge string
		}{
			{"public client with S256", with(public, "code_challenge", validPKCE, "code_challenge_method", "S256"), validPKCE},
			{"128 characters", with(baseQuery(), "code_challenge", strings.Repeat("a-._~", 25)+"abc", "code_challenge_method", "S256"), strings.Repeat("a-._~", 25) + "abc"},
			{"confidential client without PKCE", baseQuery(), ""},
			{"public client, no code in the response", with(public, "response_type", "id_token", "nonce", "n"), ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				deps := testDeps()
				deps.Clients = lookup(withPublicIDToken(testClients()))
				req := mustParse(t, getRequest(tc.query), deps)
				if req.CodeChallenge != tc.challenge {
					t.Errorf("challenge = %q, want %q", req.CodeChallenge, tc.challenge)
				}
				if tc.challenge != "" && req.CodeChallengeMethod != "S256" {
					t.Errorf("method = %q", req.CodeChallengeMethod)
				}
			})
		}
	})
}

// withPublicIDToken lets the public client use the id_token response type.
func withPublicIDToken(clients map[string]oauth.Client) map[string]oauth.Client {
	c := clients["public"]
	c.Metadata.ResponseTypes = []string{"code", "id_token"}
	clients["public"] = c
	return clients
}

func TestParseSuccess(t *testing.T) {
	jwtModes := func(d *Deps) { d.Config.ResponseModes = append(d.Config.ResponseModes, ModeJWT, ModeQueryJWT) }
	for _, tc := range []struct {
		name  string
		r     *http.Request
		deps  func(*Deps)
		check func(t *testing.T, req Request)
	}{
		{name: "code flow", r: getRequest(baseQuery()), check: func(t *testing.T, req Request) {
			want := Request{
				Issuer: testIssuer, ClientID: "web", RedirectURI: webCallback, RedirectURIGiven: true,
				ResponseType: "code", ResponseMode: ModeQuery, Scopes: []string{"openid", "profile"}, State: "xyz",
			}
			req.Client = oauth.Client{}
			if !reflect.DeepEqual(req, want) {
				t.Errorf("request = %+v\nwant      %+v", req, want)
			}
		}},
		{name: "POST form", r: postRequest(baseQuery(), "application/x-www-form-urlencoded; charset=UTF-8"), check: func(t *testing.T, req Request) {
			if req.State != "xyz" || req.ResponseType != "code" {
				t.Errorf("request = %+v", req)
			}
		}},
		{name: "POST ignores the query", r: func() *http.Request {
			r := postRequest(baseQuery(), "application/x-www-form-urlencoded")
			r.URL.RawQuery = "state=from-query&state=twice"
			return r
		}(), check: func(t *testing.T, req Request) {
			if req.State != "xyz" {
				t.Errorf("state = %q", req.State)
			}
		}},
		{name: "hybrid, values in any order", r: getRequest(with(baseQuery(), "response_type", "id_token code", "nonce", "n-0S6")), check: func(t *testing.T, req Request) {
			if req.ResponseType != "code id_token" || req.ResponseMode != ModeFragment || req.Nonce != "n-0S6" {
				t.Errorf("type %q mode %q nonce %q", req.ResponseType, req.ResponseMode, req.Nonce)
			}
		}},
		{name: "form_post", r: getRequest(with(baseQuery(), "response_mode", ModeFormPost)), check: func(t *testing.T, req Request) {
			if req.ResponseMode != ModeFormPost {
				t.Errorf("mode = %q", req.ResponseMode)
			}
		}},
		{name: "default mode named though not enabled", r: getRequest(with(baseQuery(), "response_mode", ModeQuery)),
			deps: func(d *Deps) { d.Config.ResponseModes = []string{ModeFormPost} }, check: func(t *testing.T, req Request) {
				if req.ResponseMode != ModeQuery {
					t.Errorf("mode = %q", req.ResponseMode)
				}
			}},
		{name: "jwt resolves for code", r: getRequest(with(baseQuery(), "response_mode", ModeJWT)), deps: jwtModes, check: func(t *testing.T, req Request) {
			if req.ResponseMode != ModeQueryJWT {
				t.Errorf("mode = %q", req.ResponseMode)
			}
		}},
		{name: "jwt resolves for id_token", r: getRequest(with(baseQuery(), "response_mode", ModeJWT, "response_type", "id_token", "nonce", "n")), deps: jwtModes,
			check: func(t *testing.T, req Request) {
				if req.ResponseMode != ModeFragmentJWT {
					t.Errorf("mode = %q", req.ResponseMode)
				}
			}},
		{name: "plain OAuth without redirect_uri", r: getRequest(with(baseQuery(), "client_id", "single", "redirect_uri", "-", "scope", "-")),
			check: func(t *testing.T, req Request) {
				if req.RedirectURI != "https://single.example.com/cb" || req.RedirectURIGiven || req.OpenID() || req.Scopes != nil {
					t.Errorf("request = %+v", req)
				}
			}},
		{name: "empty values are absent", r: rawRequest(baseQuery().Encode() + "&prompt=&nonce=&max_age="), check: func(t *testing.T, req Request) {
			if req.Prompt != nil || req.Nonce != "" || req.MaxAge != nil {
				t.Errorf("request = %+v", req)
			}
		}},
		{name: "an empty repeat is no repeat", r: rawRequest(baseQuery().Encode() + "&state="), check: func(t *testing.T, req Request) {
			if req.State != "xyz" {
				t.Errorf("state = %q", req.State)
			}
		}},
		{name: "scope with extra spaces and repeats", r: getRequest(with(baseQuery(), "scope", " openid  profile openid ")), check: func(t *testing.T, req Request) {
			if !reflect.DeepEqual(req.Scopes, []string{"openid", "profile"}) {
				t.Errorf("scopes = %q", req.Scopes)
			}
		}},
		{name: "registered scopes and openid", r: getRequest(with(baseQuery(), "client_id", "scoped", "scope", "openid profile")), check: func(t *testing.T, req Request) {
			if len(req.Scopes) != 2 {
				t.Errorf("scopes = %q", req.Scopes)
			}
		}},
		{name: "prompt select_account is login", r: getRequest(with(baseQuery(), "prompt", "select_account consent")), check: func(t *testing.T, req Request) {
			if !req.ForceLogin() || !req.ForceConsent() || req.PromptNone() {
				t.Errorf("prompt %q: login %v consent %v none %v", req.Prompt, req.ForceLogin(), req.ForceConsent(), req.PromptNone())
			}
		}},
		{name: "prompt none", r: getRequest(with(baseQuery(), "prompt", "none")), check: func(t *testing.T, req Request) {
			if !req.PromptNone() || req.ForceLogin() {
				t.Errorf("prompt %q", req.Prompt)
			}
		}},
		{name: "max_age zero", r: getRequest(with(baseQuery(), "max_age", "0")), check: func(t *testing.T, req Request) {
			if req.MaxAge == nil || *req.MaxAge != 0 {
				t.Errorf("max_age = %v", req.MaxAge)
			}
		}},
		{name: "client defaults", r: getRequest(with(baseQuery(), "client_id", "defaults")), check: func(t *testing.T, req Request) {
			if req.MaxAge == nil || *req.MaxAge != 600 || !reflect.DeepEqual(req.ACRValues, []string{"urn:acr:pwd"}) {
				t.Errorf("max_age %v acr %q", req.MaxAge, req.ACRValues)
			}
		}},
		{name: "request overrides client defaults", r: getRequest(with(baseQuery(), "client_id", "defaults", "max_age", "5", "acr_values", "a b a")), check: func(t *testing.T, req Request) {
			if *req.MaxAge != 5 || !reflect.DeepEqual(req.ACRValues, []string{"a", "b"}) {
				t.Errorf("max_age %v acr %q", *req.MaxAge, req.ACRValues)
			}
		}},
		{name: "hints and locales", r: getRequest(with(baseQuery(), "login_hint", "alice", "id_token_hint", "eyJ.x.y", "ui_locales", "de en", "claims_locales", "de", "display", "page")),
			check: func(t *testing.T, req Request) {
				if req.LoginHint != "alice" || req.IDTokenHint != "eyJ.x.y" || !reflect.DeepEqual(req.UILocales, []string{"de", "en"}) ||
					!reflect.DeepEqual(req.ClaimsLocales, []string{"de"}) || req.Display != "page" {
					t.Errorf("request = %+v", req)
				}
			}},
		{name: "claims", r: getRequest(with(baseQuery(), "claims", `{"userinfo":{"email":null,"name":{"essential":true}},"id_token":{"acr":{"values":["a","b"]},"sub":{"value":"x"}},"ext":1}`)),
			check: func(t *testing.T, req Request) {
				c := req.Claims
				if !reflect.DeepEqual(c.UserInfoNames(), []string{"email", "name"}) || !reflect.DeepEqual(c.IDTokenNames(), []string{"acr", "sub"}) {
					t.Fatalf("names %q %q", c.UserInfoNames(), c.IDTokenNames())
				}
				if !c.UserInfo[1].Essential || len(c.IDToken[0].Values) != 2 || string(c.IDToken[1].Value) != `"x"` || !json.Valid(c.Raw) {
					t.Errorf("claims = %+v", c)
				}
			}},
		{name: "native loopback IPv4 with a port", r: getRequest(with(baseQuery(), "client_id", "native", "redirect_uri", "http://127.0.0.1:53124/cb", "code_challenge", validPKCE, "code_challenge_method", "S256")),
			check: func(t *testing.T, req Request) {
				if req.RedirectURI != "http://127.0.0.1:53124/cb" {
					t.Errorf("redirect_uri = %q", req.RedirectURI)
				}
			}},
		{name: "native loopback IPv6 with a port", r: getRequest(with(baseQuery(), "client_id", "native", "redirect_uri", "http://[::1]:61000/cb", "code_challenge", validPKCE, "code_challenge_method", "S256")),
			check: func(t *testing.T, req Request) {
				if req.RedirectURI != "http://[::1]:61000/cb" {
					t.Errorf("redirect_uri = %q", req.RedirectURI)
				}
			}},
		{name: "native custom scheme", r: getRequest(with(baseQuery(), "client_id", "native", "redirect_uri", "com.example.app:/cb", "code_challenge", validPKCE, "code_challenge_method", "S256")),
			check: func(t *testing.T, req Request) {
				if req.RedirectURI != "com.example.app:/cb" {
					t.Errorf("redirect_uri = %q", req.RedirectURI)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			deps := testDeps()
			if tc.deps != nil {
				tc.deps(&deps)
			}
			tc.check(t, mustParse(t, tc.r, deps))
		})
	}
}

func TestHTTPShapeErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
	}{
		{"POST as JSON", postRequest(baseQuery(), "application/json"), http.StatusUnsupportedMediaType},
		{"POST without content type", postRequest(baseQuery(), ""), http.StatusUnsupportedMediaType},
		{"POST too large", postRequest(with(baseQuery(), "state", strings.Repeat("x", maxFormBytes)), "application/x-www-form-urlencoded"), http.StatusRequestEntityTooLarge},
		{"PUT", httptest.NewRequest(http.MethodPut, "/authorize?"+baseQuery().Encode(), nil), http.StatusMethodNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, f := parse(t, tc.r, testDeps())
			if f == nil || f.Redirect != nil || f.Err.Code != "invalid_request" || f.Err.Status != tc.status {
				t.Fatalf("failure = %+v", f)
			}
		})
	}
}

func TestRequestJSONRoundTrip(t *testing.T) {
	q := with(baseQuery(), "response_type", "code id_token", "nonce", "n", "prompt", "login", "max_age", "30",
		"claims", `{"userinfo":{"email":{"essential":true}}}`, "ui_locales", "de", "code_challenge", validPKCE, "code_challenge_method", "S256")
	req := mustParse(t, getRequest(q), testDeps())
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "Metadata") {
		t.Errorf("the client was stored: %s", b)
	}
	var back Request
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	req.Client = oauth.Client{}
	if !reflect.DeepEqual(req, back) {
		t.Errorf("round trip changed the request:\n%+v\n%+v", req, back)
	}
}

func TestFailureLogsAndUnwraps(t *testing.T) {
	_, f := parse(t, getRequest(with(baseQuery(), "client_id", "down")), testDeps())
	if f == nil || !errors.Is(f, storage.ErrUnavailable) {
		t.Fatalf("cause not reachable: %v", f)
	}
	if strings.Contains(f.Err.Description, "dial") {
		t.Errorf("internal text in the description: %q", f.Err.Description)
	}
	if v := f.LogValue(); !strings.Contains(v.String(), "dial") {
		t.Errorf("log value lacks the cause: %s", v)
	}
}
