package templates

import (
	"fmt"
	"net/http"
)

// The texts a login page can show above the form, for LoginPage.Error.
// LoginInvalid is shown alike for an unknown user and a wrong password.
const (
	LoginInvalid     = "invalid"
	LoginLocked      = "locked"
	LoginExpired     = "expired"
	LoginMustChange  = "mustchange"
	LoginThrottled   = "throttled"
	LoginUnavailable = "unavailable"
	// LoginDisabled, LoginAccountExpired and LoginNotPermitted are Active
	// Directory's refusals of an account, whatever the password.
	LoginDisabled       = "disabled"
	LoginAccountExpired = "accountexpired"
	LoginNotPermitted   = "notpermitted"
)

// LoginPage is the sign-in form. It posts username, password, csrf and
// flow to Action.
type LoginPage struct {
	// Lang is the page's language, from ChooseLang; others fall back to English.
	Lang string
	// Action is the URL the form posts to.
	Action string
	// CSRF is the token for the form's hidden "csrf" field.
	CSRF string
	// Flow is the pending authorization request, the hidden "flow" field.
	Flow string
	// ClientName is the client's name in Lang (see PickLang); may be empty.
	ClientName string
	// LogoURI is the client's logo; may be empty.
	LogoURI string
	// Username prefills the username field: the login_hint, or what was
	// typed on the last attempt.
	Username string
	// Error is one of the Login* constants, or empty.
	Error string
	// Status is the HTTP status to answer with; 0 means 200. The page is
	// the same, and so are its headers (no-store, Content-Language),
	// whatever the status: a 429 or 503 form still carries a CSRF token.
	Status int
	// PasskeyURL, when set, is offered as "Sign in with a passkey".
	PasskeyURL string
}

// Login renders the sign-in form.
func (r *Renderer) Login(w http.ResponseWriter, p LoginPage) error {
	v, err := loginView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func loginView(p LoginPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	if p.Error != "" {
		if _, err := text(p.Lang, "login.error."+p.Error); err != nil {
			return view{}, fmt.Errorf("login page: unknown error %q", p.Error)
		}
	}
	v, err := newView("login", p.Lang, "login.title", true, p)
	if p.Status != 0 {
		v.status = p.Status
	}
	return v, err
}

// ConsentPage asks a person whether a client may have what it asked for.
// Its form posts csrf, flow and decision (allow or deny) to Action.
type ConsentPage struct {
	Lang   string
	Action string
	CSRF   string
	Flow   string
	// ClientName, LogoURI, ClientURI, PolicyURI and TOSURI are the client's
	// metadata in Lang (see PickLang); any may be empty.
	ClientName string
	LogoURI    string
	ClientURI  string
	PolicyURI  string
	TOSURI     string
	// Scopes are the requested scope values, shown in plain words; a scope
	// without a description is shown as its value.
	Scopes []string
	// Claims are individually requested claims (the OpenID Connect claims
	// parameter), shown in plain words likewise.
	Claims []string
	// UserName is who is signing in, as they would recognise themselves.
	UserName string
}

// Consent renders the consent form.
func (r *Renderer) Consent(w http.ResponseWriter, p ConsentPage) error {
	v, err := consentView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func consentView(p ConsentPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	return newView("consent", p.Lang, "consent.title", true, p)
}

// LogoutPage asks a person to confirm signing out (OpenID Connect
// RP-Initiated Logout 1.0 §2, which asks the provider to confirm with the
// user). Its form posts confirm=yes, csrf, and each of the other fields
// that is not empty, to Action.
type LogoutPage struct {
	Lang   string
	Action string
	CSRF   string
	// Flow is the hidden "flow" field, when the logout request is kept
	// on the server.
	Flow string
	// ClientName is the client that asked for the logout, if known.
	ClientName string
	// State, PostLogoutRedirectURI and ClientID are posted back as the
	// fields of the same name (state, post_logout_redirect_uri, client_id)
	// when the logout request is not kept on the server. Check them again
	// when the form comes back.
	State                 string
	PostLogoutRedirectURI string
	ClientID              string
	// CancelURL is where "Stay signed in" leads; empty: the start page.
	CancelURL string
}

// Logout renders the logout confirmation.
func (r *Renderer) Logout(w http.ResponseWriter, p LogoutPage) error {
	v, err := r.logoutView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func (r *Renderer) logoutView(p LogoutPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	if p.CancelURL == "" {
		p.CancelURL = r.prefix + "/"
	}
	return newView("logout", p.Lang, "logout.title", true, p)
}

// LoggedOutPage tells a person they are signed out, for a logout that has
// nowhere to send them back to, or as a last stop with a link back.
type LoggedOutPage struct {
	Lang string
	// ReturnURI, if set, is offered as a link back to the client.
	ReturnURI string
	// ClientName names the client in that link; may be empty.
	ClientName string
	// FrontChannel are the clients' front-channel logout URIs, with iss
	// and sid (OpenID Connect Front-Channel Logout 1.0 §3), loaded in
	// hidden iframes. With ReturnURI set the page then goes on there by
	// itself, once every frame has loaded or WaitSeconds have passed
	// (static/logout.js; the caller sets a Refresh header as the bound for
	// browsers without script). The caller's Content-Security-Policy must
	// allow the frames' origins (frame-src) and script-src 'self'.
	FrontChannel []string
	WaitSeconds  int
	// Script is set by LoggedOut: the URL path of static/logout.js.
	Script string
}

// LoggedOut renders the page shown after signing out.
func (r *Renderer) LoggedOut(w http.ResponseWriter, p LoggedOutPage) error {
	if len(p.FrontChannel) > 0 {
		p.Script = r.prefix + "/static/logout.js"
	}
	v, err := loggedOutView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func loggedOutView(p LoggedOutPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	// The frames' URLs name the session (sid): not for a shared cache.
	return newView("loggedout", p.Lang, "loggedout.title", len(p.FrontChannel) > 0, p)
}

// HomePage is what the start page shows.
type HomePage struct {
	Lang         string
	Issuer       string
	DiscoveryURL string
	JWKSURL      string
	// TryURL, when set, is the demo relying party's start: the page offers
	// it as "Try sign-in". Empty where there is no demo.
	TryURL string
}

// Home renders the start page.
func (r *Renderer) Home(w http.ResponseWriter, p HomePage) error {
	v, err := homeView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func homeView(p HomePage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	return newView("home", p.Lang, "home.title", false, p)
}

// ErrorPage is an error shown to a person. Its title and message are
// either written by the caller — for people: never an internal error's
// text — or taken from the catalog by Kind, in the page's language:
//
//	not_found, method_not_allowed, bad_request, unknown_client,
//	bad_redirect_uri, missing_redirect_uri, expired (the flow is gone),
//	csrf, unavailable, server_error
//
// Title and Message, where set, take the place of the Kind's texts.
type ErrorPage struct {
	Lang    string
	Kind    string
	Title   string
	Message string
	// Code is the OAuth error code, if any, for support requests.
	Code string
}

// Error renders an error page with the given HTTP status.
func (r *Renderer) Error(w http.ResponseWriter, status int, p ErrorPage) error {
	v, err := errorView(status, p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func errorView(status int, p ErrorPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	kind := p.Kind
	if kind == "" {
		kind = "default"
	}
	var err error
	if p.Title == "" {
		if p.Title, err = text(p.Lang, "error."+kind+".title"); err != nil {
			return view{}, fmt.Errorf("error page: unknown kind %q", p.Kind)
		}
	}
	if p.Message == "" {
		if p.Message, err = text(p.Lang, "error."+kind+".text"); err != nil {
			return view{}, fmt.Errorf("error page: unknown kind %q", p.Kind)
		}
	}
	v, err := newView("error", p.Lang, "", false, p)
	if err != nil {
		return view{}, err
	}
	v.status = status
	v.page.Title = p.Title
	return v, nil
}

// newView is a page in lang (already resolved), titled by a catalog key.
func newView(name, lang, titleKey string, noStore bool, data any) (view, error) {
	v := view{name: name, status: http.StatusOK, noStore: noStore, page: page{Lang: lang, Data: data}}
	if titleKey != "" {
		title, err := text(lang, titleKey)
		if err != nil {
			return view{}, err
		}
		v.page.Title = title
	}
	return v, nil
}

// samples are views of every page in lang for rehearse: each page once
// with every field set, so that conditional parts are rendered too, and
// once with nothing but the language.
func (r *Renderer) samples(lang string) ([]view, error) {
	const uri = "https://client.example/x"
	builders := append(append(mfaSamples(lang), passkeySamples(lang)...), []func() (view, error){
		func() (view, error) {
			return loginView(LoginPage{Lang: lang, Action: uri, CSRF: "c", Flow: "f", ClientName: "n",
				LogoURI: uri, Username: "u", Error: LoginInvalid, PasskeyURL: uri})
		},
		func() (view, error) { return loginView(LoginPage{Lang: lang}) },
		func() (view, error) {
			return passwordView(PasswordPage{Lang: lang, Action: uri, CSRF: "c", Flow: "f", ClientName: "n",
				LogoURI: uri, Username: "u", Error: PasswordMismatch})
		},
		func() (view, error) { return passwordView(PasswordPage{Lang: lang}) },
		func() (view, error) {
			return consentView(ConsentPage{Lang: lang, Action: uri, CSRF: "c", Flow: "f", ClientName: "n",
				LogoURI: uri, ClientURI: uri, PolicyURI: uri, TOSURI: uri,
				Scopes: []string{"openid", "custom"}, Claims: []string{"email", "custom"}, UserName: "u"})
		},
		func() (view, error) { return consentView(ConsentPage{Lang: lang}) },
		func() (view, error) {
			return r.logoutView(LogoutPage{Lang: lang, Action: uri, CSRF: "c", Flow: "f", ClientName: "n",
				State: "s", PostLogoutRedirectURI: uri, ClientID: "i", CancelURL: uri})
		},
		func() (view, error) { return r.logoutView(LogoutPage{Lang: lang}) },
		func() (view, error) { return loggedOutView(LoggedOutPage{Lang: lang, ReturnURI: uri, ClientName: "n"}) },
		func() (view, error) { return loggedOutView(LoggedOutPage{Lang: lang}) },
		func() (view, error) {
			return loggedOutView(LoggedOutPage{Lang: lang, ReturnURI: uri, FrontChannel: []string{uri}, WaitSeconds: 5, Script: uri})
		},
		func() (view, error) {
			return homeView(HomePage{Lang: lang, Issuer: uri, DiscoveryURL: uri, JWKSURL: uri, TryURL: uri})
		},
		func() (view, error) { return homeView(HomePage{Lang: lang}) },
		func() (view, error) {
			return errorView(http.StatusBadRequest, ErrorPage{Lang: lang, Kind: "expired", Code: "invalid_request"})
		},
		func() (view, error) { return errorView(http.StatusInternalServerError, ErrorPage{Lang: lang}) },
	}...)
	builders = append(builders, deviceSamples(lang)...)
	builders = append(builders, accountSamples(lang)...)
	views := make([]view, 0, len(builders))
	for _, build := range builders {
		v, err := build()
		if err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, nil
}
