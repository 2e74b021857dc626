package authorize

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func respond(t *testing.T, wr Writer, resp Response) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	// The provider's middleware sets a strict policy before any handler runs.
	rec.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self'")
	if err := wr.Respond(context.Background(), rec, resp); err != nil {
		t.Fatalf("Respond: %v", err)
	}
	return rec
}

func location(t *testing.T, rec *httptest.ResponseRecorder) *url.URL {
	t.Helper()
	if rec.Code != http.StatusFound {
		t.Fatalf("status = %d, want 302", rec.Code)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	u, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRespondQuery(t *testing.T) {
	req := Request{Issuer: testIssuer, ClientID: "web", RedirectURI: "https://rp.example.com/cb?tenant=a%2Fb&state=stale&flag", ResponseMode: ModeQuery, State: "s t"}
	rec := respond(t, Writer{}, req.Response(url.Values{"code": {"c0de"}}))
	u := location(t, rec)
	if !strings.HasPrefix(u.RawQuery, "tenant=a%2Fb&flag&") {
		t.Errorf("the redirect URI's own query was not kept as written: %q", u.RawQuery)
	}
	want := url.Values{"tenant": {"a/b"}, "flag": {""}, "code": {"c0de"}, "state": {"s t"}, "iss": {testIssuer}}
	if got := u.Query(); !reflect.DeepEqual(got, want) {
		t.Errorf("query = %v, want %v", got, want)
	}
	if u.Fragment != "" || u.Host != "rp.example.com" || u.Path != "/cb" {
		t.Errorf("location = %s", u)
	}
}

func TestRespondFragment(t *testing.T) {
	req := Request{Issuer: testIssuer, ClientID: "web", RedirectURI: "https://rp.example.com/cb?a=1", ResponseMode: ModeFragment, State: "xyz"}
	u := location(t, respond(t, Writer{}, req.Response(url.Values{"code": {"c"}, "id_token": {"h.p.s"}})))
	if u.RawQuery != "a=1" {
		t.Errorf("query = %q", u.RawQuery)
	}
	frag, err := url.ParseQuery(u.Fragment)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"code": {"c"}, "id_token": {"h.p.s"}, "state": {"xyz"}, "iss": {testIssuer}}
	if !reflect.DeepEqual(frag, want) {
		t.Errorf("fragment = %v, want %v", frag, want)
	}
}

func TestRespondFormPost(t *testing.T) {
	evil := `"><script>alert(1)</script>&`
	req := Request{Issuer: testIssuer, ClientID: "web", RedirectURI: "https://rp.example.com:8443/cb?x=1", ResponseMode: ModeFormPost, State: evil}
	rec := respond(t, Writer{}, req.Response(url.Values{"code": {"c0de"}}))
	body := rec.Body.String()
	h := rec.Header()

	if rec.Code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || h.Get("Cache-Control") != "no-store" {
		t.Errorf("status %d, headers %v", rec.Code, h)
	}
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, `value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"`) {
		t.Errorf("state not escaped:\n%s", body)
	}
	for _, want := range []string{
		`<form method="post" action="https://rp.example.com:8443/cb?x=1">`,
		`<input type="hidden" name="code" value="c0de">`,
		`<input type="hidden" name="iss" value="https://op.example.com">`,
		`<noscript>`, `<button type="submit">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}

	csp := h.Values("Content-Security-Policy")
	if len(csp) != 1 {
		t.Fatalf("Content-Security-Policy = %q, want one policy replacing the provider's", csp)
	}
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(body, -1)
	if len(scripts) != 1 {
		t.Fatalf("found %d scripts", len(scripts))
	}
	sum := sha256.Sum256([]byte(scripts[0][1]))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	for _, want := range []string{"script-src " + hash + ";", "form-action https://rp.example.com:8443;", "default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp[0], want) {
			t.Errorf("policy %q lacks %q", csp[0], want)
		}
	}
	if strings.Contains(csp[0], "unsafe-inline") {
		t.Errorf("policy allows inline scripts: %q", csp[0])
	}
}

func TestFormActionSource(t *testing.T) {
	for raw, want := range map[string]string{
		"https://rp.example.com/cb":   "https://rp.example.com",
		"http://127.0.0.1:5000/cb":    "http://127.0.0.1:5000",
		"https://RP.Example.com/cb":   "https://rp.example.com",
		"http://[::1]:5000/cb":        "http:",
		"com.example.app:/cb":         "com.example.app:",
		"https://rp.example.com;x/cb": "https:",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := formActionSource(u); got != want {
			t.Errorf("formActionSource(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestRespondFormPostCustomScheme(t *testing.T) {
	resp := Response{RedirectURI: "com.example.app:/cb", Mode: ModeFormPost, Issuer: testIssuer, Params: url.Values{"code": {"c"}}}
	body := respond(t, Writer{}, resp).Body.String()
	if !strings.Contains(body, `action="com.example.app:/cb"`) {
		t.Errorf("custom scheme action lost:\n%s", body)
	}
}

func TestRespondErrorFromParse(t *testing.T) {
	_, f := parse(t, getRequest(with(baseQuery(), "prompt", "none login", "state", `a"b`)), testDeps())
	if f == nil || f.Redirect == nil {
		t.Fatalf("failure = %v", f)
	}
	u := location(t, respond(t, Writer{}, *f.Redirect))
	q := u.Query()
	if q.Get("error") != "invalid_request" || q.Get("iss") != testIssuer || q.Get("state") != `a"b` || !strings.HasPrefix(q.Get("error_description"), "prompt:") {
		t.Errorf("query = %v", q)
	}
}

func TestErrorResponseDescription(t *testing.T) {
	req := Request{Issuer: testIssuer, RedirectURI: webCallback, ResponseMode: ModeFragment, State: "st"}
	e := oauth.ErrLoginRequired().WithDescription(`needs "login" \ now` + "\n\u00e9")
	resp := req.ErrorResponse(e)
	want := url.Values{"error": {"login_required"}, "error_description": {"needs ?login? ? now??"}, "state": {"st"}}
	if !reflect.DeepEqual(resp.Params, want) || resp.Mode != ModeFragment {
		t.Errorf("response = %+v", resp)
	}
}

// fakeEncoder stands in for JARM: it records what it was given.
type fakeEncoder struct{ got Response }

func (e *fakeEncoder) EncodeResponse(_ context.Context, resp Response) (string, error) {
	e.got = resp
	return "header.claims.signature", nil
}

func TestRespondJWTModes(t *testing.T) {
	resp := Response{RedirectURI: webCallback, Mode: ModeQueryJWT, Issuer: testIssuer, ClientID: "web", Params: url.Values{"code": {"c"}}}

	t.Run("refused without an encoder", func(t *testing.T) {
		for _, mode := range []string{ModeQueryJWT, ModeFragmentJWT, ModeFormPostJWT} {
			rec := httptest.NewRecorder()
			r := resp
			r.Mode = mode
			if err := Respond(rec, r); !errors.Is(err, ErrJWTModeUnavailable) {
				t.Errorf("%s: err = %v", mode, err)
			}
			if rec.Body.Len() != 0 || rec.Header().Get("Location") != "" {
				t.Errorf("%s: something was written", mode)
			}
		}
	})
	t.Run("encoded into one parameter", func(t *testing.T) {
		enc := &fakeEncoder{}
		u := location(t, respond(t, Writer{JWT: enc}, resp))
		if got := u.Query(); !reflect.DeepEqual(got, url.Values{"response": {"header.claims.signature"}}) {
			t.Errorf("query = %v", got)
		}
		if enc.got.Params.Get("iss") != testIssuer || enc.got.Params.Get("code") != "c" || enc.got.ClientID != "web" {
			t.Errorf("encoder got %+v", enc.got)
		}
	})
	t.Run("form_post.jwt", func(t *testing.T) {
		r := resp
		r.Mode = ModeFormPostJWT
		body := respond(t, Writer{JWT: &fakeEncoder{}}, r).Body.String()
		if !strings.Contains(body, `name="response" value="header.claims.signature"`) || strings.Contains(body, `name="code"`) {
			t.Errorf("body:\n%s", body)
		}
	})
	t.Run("unresolved jwt", func(t *testing.T) {
		r := resp
		r.Mode = ModeJWT
		if err := (Writer{JWT: &fakeEncoder{}}).Respond(context.Background(), httptest.NewRecorder(), r); !errors.Is(err, ErrUnknownMode) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("served modes", func(t *testing.T) {
		configured := []string{ModeQuery, ModeFragment, ModeFormPost, ModeQueryJWT, ModeFragmentJWT, ModeFormPostJWT, ModeJWT}
		if got := (Writer{}).ServedModes(configured); !reflect.DeepEqual(got, configured[:3]) {
			t.Errorf("without encoder: %q", got)
		}
		if got := (Writer{JWT: &fakeEncoder{}}).ServedModes(configured); !reflect.DeepEqual(got, configured) {
			t.Errorf("with encoder: %q", got)
		}
	})
}

func TestRespondRefuses(t *testing.T) {
	base := Response{RedirectURI: webCallback, Mode: ModeQuery, Issuer: testIssuer, Params: url.Values{"code": {"c"}}}
	for _, tc := range []struct {
		name   string
		change func(*Response)
		want   error
	}{
		{"no issuer", func(r *Response) { r.Issuer = "" }, ErrNoIssuer},
		{"javascript URI", func(r *Response) { r.RedirectURI = "javascript:alert(1)" }, ErrBadRedirectURI},
		{"relative URI", func(r *Response) { r.RedirectURI = "/cb" }, ErrBadRedirectURI},
		{"unknown mode", func(r *Response) { r.Mode = "smoke_signal" }, ErrUnknownMode},
		{"no mode", func(r *Response) { r.Mode = "" }, ErrUnknownMode},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := base
			tc.change(&r)
			rec := httptest.NewRecorder()
			if err := Respond(rec, r); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if rec.Body.Len() != 0 || rec.Header().Get("Location") != "" {
				t.Error("something was written")
			}
		})
	}
}

func TestResponseDoesNotShareParams(t *testing.T) {
	params := url.Values{"code": {"c"}}
	req := Request{Issuer: testIssuer, RedirectURI: webCallback, ResponseMode: ModeQuery, State: "s"}
	resp := req.Response(params)
	respond(t, Writer{}, resp)
	if len(params) != 1 || resp.Params.Has("iss") {
		t.Errorf("caller's values changed: %v / %v", params, resp.Params)
	}
}
