package templates

import (
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// element is one start tag of a rendered page.
type element struct {
	name  string
	attrs map[string]string
}

var (
	startTag  = regexp.MustCompile(`<([a-z]+)\b([^>]*)>`)
	attribute = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?`)
)

// elements returns the start tags named name whose attributes include all
// of want (html/template quotes every attribute value with "").
func elements(body, name string, want map[string]string) []element {
	var found []element
	for _, m := range startTag.FindAllStringSubmatch(body, -1) {
		if m[1] != name {
			continue
		}
		e := element{name: m[1], attrs: map[string]string{}}
		for _, a := range attribute.FindAllStringSubmatch(m[2], -1) {
			e.attrs[a[1]] = html.UnescapeString(a[2])
		}
		ok := true
		for k, v := range want {
			if got, present := e.attrs[k]; !present || got != v {
				ok = false
			}
		}
		if ok {
			found = append(found, e)
		}
	}
	return found
}

func one(t *testing.T, body, name string, want map[string]string) element {
	t.Helper()
	found := elements(body, name, want)
	if len(found) != 1 {
		t.Fatalf("want one <%s %v>, found %d in\n%s", name, want, len(found), body)
	}
	return found[0]
}

func none(t *testing.T, body, name string, want map[string]string) {
	t.Helper()
	if found := elements(body, name, want); len(found) != 0 {
		t.Errorf("want no <%s %v>, found %v", name, want, found)
	}
}

func load(t *testing.T) *Renderer {
	t.Helper()
	r, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type rendered struct {
	status int
	header http.Header
	body   string
}

func show(t *testing.T, render func(w http.ResponseWriter) error) rendered {
	t.Helper()
	rec := httptest.NewRecorder()
	if err := render(rec); err != nil {
		t.Fatal(err)
	}
	return rendered{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

func checkFrame(t *testing.T, got rendered, lang string, noStore bool) {
	t.Helper()
	if got.status != http.StatusOK {
		t.Errorf("status = %d", got.status)
	}
	if ct := got.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cl := got.header.Get("Content-Language"); cl != lang {
		t.Errorf("Content-Language = %q, want %q", cl, lang)
	}
	if cc := got.header.Get("Cache-Control"); (cc == "no-store") != noStore {
		t.Errorf("Cache-Control = %q, want no-store: %v", cc, noStore)
	}
	one(t, got.body, "html", map[string]string{"lang": lang})
	one(t, got.body, "link", map[string]string{"rel": "stylesheet", "href": "/static/style.css"})
	if strings.Contains(got.body, "style=") || strings.Contains(got.body, "<script") || strings.Contains(got.body, "<style") {
		t.Error("inline style or script: the Content-Security-Policy forbids them")
	}
}

func TestLoginPage(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			got := show(t, func(w http.ResponseWriter) error {
				return r.Login(w, LoginPage{Lang: lang, Action: "/login?flow=F1", CSRF: "tok-1", Flow: "F1",
					ClientName: "Acme Expenses", LogoURI: "https://acme.example/logo.png"})
			})
			checkFrame(t, got, lang, true)
			b := got.body
			one(t, b, "form", map[string]string{"method": "post", "action": "/login?flow=F1"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "csrf", "value": "tok-1"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "flow", "value": "F1"})
			user := one(t, b, "input", map[string]string{"name": "username", "id": "username", "type": "text", "autocomplete": "username"})
			pass := one(t, b, "input", map[string]string{"name": "password", "id": "password", "type": "password", "autocomplete": "current-password"})
			one(t, b, "label", map[string]string{"for": "username"})
			one(t, b, "label", map[string]string{"for": "password"})
			if _, ok := user.attrs["autofocus"]; !ok {
				t.Error("the empty username field should have autofocus")
			}
			if _, ok := pass.attrs["autofocus"]; ok {
				t.Error("only the first empty field should have autofocus")
			}
			if buttons := elements(b, "button", nil); len(buttons) != 1 || buttons[0].attrs["type"] != "submit" {
				t.Errorf("want one submit button, got %v", buttons)
			}
			one(t, b, "img", map[string]string{"src": "https://acme.example/logo.png", "alt": ""})
			if !strings.Contains(b, "Acme Expenses") || !strings.Contains(b, catalog[lang]["login.submit"]) {
				t.Error("client name or button text missing")
			}
			none(t, b, "p", map[string]string{"role": "alert"})
		})
	}
}

func TestLoginPageErrors(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		for _, key := range []string{LoginInvalid, LoginLocked, LoginExpired, LoginMustChange, LoginThrottled, LoginUnavailable} {
			t.Run(lang+"/"+key, func(t *testing.T) {
				got := show(t, func(w http.ResponseWriter) error {
					return r.Login(w, LoginPage{Lang: lang, Action: "/login", CSRF: "c", Flow: "f", Username: "alice", Error: key})
				})
				alert := one(t, got.body, "p", map[string]string{"role": "alert"})
				want := html.EscapeString(catalog[lang]["login.error."+key])
				if !strings.Contains(got.body, want) {
					t.Errorf("message %q missing", want)
				}
				one(t, got.body, "input", map[string]string{"name": "username", "value": "alice", "aria-describedby": alert.attrs["id"]})
				pass := one(t, got.body, "input", map[string]string{"name": "password"})
				if _, ok := pass.attrs["autofocus"]; !ok {
					t.Error("with the username filled in, the password field should have autofocus")
				}
			})
		}
	}
	rec := httptest.NewRecorder()
	if err := r.Login(rec, LoginPage{Error: "wrong-password"}); err == nil {
		t.Error("an unknown error key was accepted")
	}
	if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
		t.Error("a failed render wrote a response")
	}
}

func TestConsentPage(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			got := show(t, func(w http.ResponseWriter) error {
				return r.Consent(w, ConsentPage{Lang: lang, Action: "/consent?flow=F2", CSRF: "tok-2", Flow: "F2",
					ClientName: "Acme Expenses", LogoURI: "https://acme.example/logo.png",
					ClientURI: "https://acme.example/", PolicyURI: "https://acme.example/privacy", TOSURI: "https://acme.example/tos",
					Scopes: []string{"openid", "profile", "email", "offline_access", "api:read"}, Claims: []string{"birthdate"},
					UserName: "Alice Liddell"})
			})
			checkFrame(t, got, lang, true)
			b := got.body
			one(t, b, "form", map[string]string{"method": "post", "action": "/consent?flow=F2"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "csrf", "value": "tok-2"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "flow", "value": "F2"})
			allow := one(t, b, "button", map[string]string{"type": "submit", "name": "decision", "value": "allow"})
			deny := one(t, b, "button", map[string]string{"type": "submit", "name": "decision", "value": "deny"})
			if !strings.Contains(allow.attrs["class"], "primary") || !strings.Contains(deny.attrs["class"], "secondary") {
				t.Errorf("button classes: allow %q, deny %q", allow.attrs["class"], deny.attrs["class"])
			}
			one(t, b, "img", map[string]string{"src": "https://acme.example/logo.png", "alt": ""})
			one(t, b, "a", map[string]string{"href": "https://acme.example/privacy"})
			one(t, b, "a", map[string]string{"href": "https://acme.example/tos"})
			one(t, b, "a", map[string]string{"href": "https://acme.example/"})
			for _, want := range []string{
				"Acme Expenses", "Alice Liddell", "api:read",
				catalog[lang]["scope.openid"], catalog[lang]["scope.profile"], catalog[lang]["scope.email"],
				catalog[lang]["scope.offline_access"], catalog[lang]["claim.birthdate"],
			} {
				if !strings.Contains(b, html.EscapeString(want)) {
					t.Errorf("%q missing", want)
				}
			}
		})
	}
	got := show(t, func(w http.ResponseWriter) error { return r.Consent(w, ConsentPage{Lang: "de"}) })
	if !strings.Contains(got.body, catalog["de"]["consent.heading.unnamed"]) {
		t.Error("a client without a name should be called an application")
	}
	none(t, got.body, "img", nil)
}

func TestLogoutPages(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			got := show(t, func(w http.ResponseWriter) error {
				return r.Logout(w, LogoutPage{Lang: lang, Action: "/logout", CSRF: "tok-3", ClientName: "Acme",
					State: "st-1", PostLogoutRedirectURI: "https://acme.example/bye", ClientID: "acme"})
			})
			checkFrame(t, got, lang, true)
			b := got.body
			one(t, b, "form", map[string]string{"method": "post", "action": "/logout"})
			one(t, b, "button", map[string]string{"type": "submit", "name": "confirm", "value": "yes"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "csrf", "value": "tok-3"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "state", "value": "st-1"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "post_logout_redirect_uri", "value": "https://acme.example/bye"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "client_id", "value": "acme"})
			none(t, b, "input", map[string]string{"name": "flow"})
			one(t, b, "a", map[string]string{"href": "/"})
			if !strings.Contains(b, html.EscapeString(catalog[lang]["logout.heading"])) {
				t.Error("heading missing")
			}

			got = show(t, func(w http.ResponseWriter) error {
				return r.LoggedOut(w, LoggedOutPage{Lang: lang, ReturnURI: "https://acme.example/", ClientName: "Acme"})
			})
			checkFrame(t, got, lang, false)
			one(t, got.body, "a", map[string]string{"href": "https://acme.example/"})
			if !strings.Contains(got.body, html.EscapeString(strings.Replace(catalog[lang]["loggedout.return"], "%s", "Acme", 1))) {
				t.Error("link text back to the client missing")
			}
			got = show(t, func(w http.ResponseWriter) error { return r.LoggedOut(w, LoggedOutPage{Lang: lang}) })
			none(t, got.body, "a", nil)
			if !strings.Contains(got.body, html.EscapeString(catalog[lang]["loggedout.heading"])) {
				t.Error("heading missing")
			}
		})
	}
	got := show(t, func(w http.ResponseWriter) error {
		return r.Logout(w, LogoutPage{Action: "/logout", CSRF: "c", Flow: "F3"})
	})
	one(t, got.body, "input", map[string]string{"type": "hidden", "name": "flow", "value": "F3"})
	for _, name := range []string{"state", "post_logout_redirect_uri", "client_id"} {
		none(t, got.body, "input", map[string]string{"name": name})
	}
}

func TestHomePage(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			got := show(t, func(w http.ResponseWriter) error {
				return r.Home(w, HomePage{Lang: lang, Issuer: "http://127.0.0.1:8080",
					DiscoveryURL: "http://127.0.0.1:8080/.well-known/openid-configuration",
					JWKSURL:      "http://127.0.0.1:8080/jwks.json", TryURL: "http://127.0.0.1:8080/demo"})
			})
			checkFrame(t, got, lang, false)
			one(t, got.body, "a", map[string]string{"href": "http://127.0.0.1:8080/.well-known/openid-configuration"})
			one(t, got.body, "a", map[string]string{"href": "http://127.0.0.1:8080/jwks.json"})
			try := one(t, got.body, "a", map[string]string{"href": "http://127.0.0.1:8080/demo"})
			if !strings.Contains(try.attrs["class"], "primary") || !strings.Contains(got.body, catalog[lang]["home.try"]) {
				t.Error("the try sign-in link should be prominent")
			}
		})
	}
	got := show(t, func(w http.ResponseWriter) error {
		return r.Home(w, HomePage{Issuer: "i", DiscoveryURL: "/d", JWKSURL: "/k"})
	})
	if strings.Contains(got.body, catalog["en"]["home.try"]) {
		t.Error("without a demo there is nothing to try")
	}
}

func TestErrorPage(t *testing.T) {
	r := load(t)
	tests := []struct {
		name      string
		page      ErrorPage
		wantTitle string
		wantText  string
	}{
		{name: "kind in German", page: ErrorPage{Lang: "de", Kind: "unknown_client", Code: "invalid_request"},
			wantTitle: catalog["de"]["error.unknown_client.title"], wantText: catalog["de"]["error.unknown_client.text"]},
		{name: "kind in English", page: ErrorPage{Kind: "expired"},
			wantTitle: catalog["en"]["error.expired.title"], wantText: catalog["en"]["error.expired.text"]},
		{name: "caller's texts win", page: ErrorPage{Lang: "de", Kind: "expired", Title: "Eigener Titel", Message: "Eigene Nachricht"},
			wantTitle: "Eigener Titel", wantText: "Eigene Nachricht"},
		{name: "no kind, no texts", page: ErrorPage{Lang: "de"},
			wantTitle: catalog["de"]["error.default.title"], wantText: catalog["de"]["error.default.text"]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if err := r.Error(rec, http.StatusBadRequest, tc.page); err != nil {
				t.Fatal(err)
			}
			b := rec.Body.String()
			if rec.Code != http.StatusBadRequest {
				t.Errorf("status %d", rec.Code)
			}
			if !strings.Contains(b, "<title>"+html.EscapeString(tc.wantTitle)+" · Gatehouse</title>") ||
				!strings.Contains(b, "<h1>"+html.EscapeString(tc.wantTitle)+"</h1>") {
				t.Errorf("title %q missing:\n%s", tc.wantTitle, b)
			}
			if !strings.Contains(b, html.EscapeString(tc.wantText)) {
				t.Errorf("text %q missing", tc.wantText)
			}
			if (tc.page.Code != "") != strings.Contains(b, "<code>"+tc.page.Code+"</code>") {
				t.Error("error code shown wrongly")
			}
		})
	}
	if err := r.Error(httptest.NewRecorder(), 400, ErrorPage{Kind: "no_such_kind"}); err == nil {
		t.Error("an unknown kind was accepted")
	}
}

func TestUnsupportedLanguageFallsBack(t *testing.T) {
	r := load(t)
	for _, tc := range []struct{ lang, want string }{{"fr", "en"}, {"", "en"}, {"de-AT", "de"}, {"<x>", "en"}} {
		got := show(t, func(w http.ResponseWriter) error { return r.Login(w, LoginPage{Lang: tc.lang}) })
		one(t, got.body, "html", map[string]string{"lang": tc.want})
	}
}

func TestHostileClientValues(t *testing.T) {
	r := load(t)
	const name = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	const js = "javascript:alert(3)"
	pages := map[string]func(w http.ResponseWriter) error{
		"login": func(w http.ResponseWriter) error {
			return r.Login(w, LoginPage{ClientName: name, LogoURI: js, Username: name, CSRF: name, Flow: name, Action: js})
		},
		"consent": func(w http.ResponseWriter) error {
			return r.Consent(w, ConsentPage{ClientName: name, LogoURI: js, ClientURI: js, PolicyURI: js, TOSURI: js,
				Scopes: []string{name}, Claims: []string{name}, UserName: name, Action: js})
		},
		"logout": func(w http.ResponseWriter) error {
			return r.Logout(w, LogoutPage{ClientName: name, State: name, PostLogoutRedirectURI: js, CancelURL: js, Action: js})
		},
		"loggedout": func(w http.ResponseWriter) error {
			return r.LoggedOut(w, LoggedOutPage{ClientName: name, ReturnURI: js})
		},
		"error": func(w http.ResponseWriter) error {
			return r.Error(w, 400, ErrorPage{Title: name, Message: name, Code: name})
		},
	}
	for page, render := range pages {
		t.Run(page, func(t *testing.T) {
			b := show(t, render).body
			// A javascript: URL may appear as inert data (a hidden field's
			// value); it must never be a link, image or form target.
			if strings.Contains(b, "<script>alert") || strings.Contains(b, "<img src=x") {
				t.Errorf("hostile value not neutralised:\n%s", b)
			}
			if !strings.Contains(b, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("hostile name not shown as text:\n%s", b)
			}
			for _, tag := range []string{"img", "a", "form"} {
				for _, e := range elements(b, tag, nil) {
					for _, attr := range []string{"src", "href", "action"} {
						if v, ok := e.attrs[attr]; ok && v != "#ZgotmplZ" && v != "/static/style.css" {
							t.Errorf("<%s %s=%q> should have been filtered", tag, attr, v)
						}
					}
					if _, ok := e.attrs["onerror"]; ok {
						t.Errorf("event handler attribute in %v", e)
					}
				}
			}
		})
	}
	// The logo's URL is filtered, not dropped: the page keeps its shape.
	b := show(t, pages["login"]).body
	one(t, b, "img", map[string]string{"src": "#ZgotmplZ", "alt": ""})
	b = show(t, func(w http.ResponseWriter) error {
		return r.Consent(w, ConsentPage{LogoURI: `https://x.example/a.png" onerror="alert(1)`})
	}).body
	img := one(t, b, "img", map[string]string{"alt": ""})
	if _, ok := img.attrs["onerror"]; ok || !strings.HasPrefix(img.attrs["src"], "https://x.example/a.png") {
		t.Errorf("logo attribute injection: %v", img)
	}
}

func TestUnder(t *testing.T) {
	r := load(t).Under("/tenant/")
	got := show(t, func(w http.ResponseWriter) error { return r.Logout(w, LogoutPage{Action: "/tenant/logout"}) })
	one(t, got.body, "link", map[string]string{"rel": "stylesheet", "href": "/tenant/static/style.css"})
	one(t, got.body, "a", map[string]string{"href": "/tenant/"})
	plain := show(t, func(w http.ResponseWriter) error { return load(t).Home(w, HomePage{}) })
	one(t, plain.body, "link", map[string]string{"href": "/static/style.css"})
}

func TestOverrideOnePage(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "login.html"), `{{define "content"}}<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="flow" value="{{.Flow}}">
<p class="ours">{{t "login.heading"}} — {{.ClientName}}</p>
<input name="username"><input name="password" type="password"><button>{{t "login.submit"}}</button></form>{{end}}`)
	r, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := show(t, func(w http.ResponseWriter) error { return r.Login(w, LoginPage{Lang: "de", ClientName: "Acme"}) })
	one(t, got.body, "p", map[string]string{"class": "ours"})
	if !strings.Contains(got.body, "Anmelden — Acme") {
		t.Errorf("override not rendered in German: %s", got.body)
	}
	got = show(t, func(w http.ResponseWriter) error { return r.Consent(w, ConsentPage{}) })
	one(t, got.body, "button", map[string]string{"name": "decision", "value": "allow"})
}

func TestBrokenPageOverrideFailsAtLoad(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		wantErr string
	}{
		{name: "unknown field", file: "login.html", content: `{{define "content"}}{{.Nope}}{{end}}`, wantErr: "template login.html"},
		{name: "unknown text", file: "consent.html", content: `{{define "content"}}{{t "consent.nope"}}{{end}}`, wantErr: `no text "consent.nope"`},
		{name: "missing argument", file: "consent.html", content: `{{define "content"}}{{t "consent.heading"}}{{end}}`, wantErr: "takes 1 arguments"},
		{name: "unknown function", file: "logout.html", content: `{{define "content"}}{{tr "x"}}{{end}}`, wantErr: "template logout.html"},
		{name: "no content block", file: "loggedout.html", content: `<p>hello</p>`, wantErr: `no {{define "content"}} block`},
		{name: "field only in a branch", file: "home.html", content: `{{define "content"}}{{if .TryURL}}{{.TryURl}}{{end}}{{end}}`, wantErr: "TryURl"},
		{name: "base without the stylesheet field", file: "base.html", content: `{{define "base"}}{{.Stylesheet}}{{end}}`, wantErr: "Stylesheet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, tc.file), tc.content)
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestConcurrentRenders(t *testing.T) {
	r := load(t)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lang := languages[i%len(languages)]
			rec := httptest.NewRecorder()
			if err := r.Consent(rec, ConsentPage{Lang: lang, ClientName: "Acme", Scopes: []string{"openid"}}); err != nil {
				t.Error(err)
			}
			if err := r.Under("/x").Login(httptest.NewRecorder(), LoginPage{Lang: lang}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
