package templates

import (
	"fmt"
	"html/template"
	"net/http"
)

// The account page's Notice and Error are the keys account.notice.* and
// account.error.* of the catalog.

// AccountPage is /account: the person's authenticators, recovery codes,
// allowed applications and sessions. Every form posts csrf and action
// (reauth, add_totp, enrol, rename, remove, recovery, revoke, end,
// end_all) to Action, with id, name, code, enrolment, client or sid as
// the action needs.
type AccountPage struct {
	Lang   string
	Action string
	CSRF   string
	// UserName is who is signed in, as shown.
	UserName string
	// Strong: strong sign-in is on, so authenticators are shown.
	Strong bool
	// Fresh: the sign-in is recent enough to change authenticators; else
	// the page offers to sign in again.
	Fresh bool
	// Authenticators are the apps and passkeys.
	Authenticators []AccountAuthenticator
	// HasRecovery and RecoveryLeft describe the recovery codes.
	HasRecovery  bool
	RecoveryLeft int
	// PasskeyEnrolURL links to adding a passkey; empty hides the link.
	PasskeyEnrolURL string
	// Enrolment is set while an authenticator app is being added.
	Enrolment *AccountEnrolment
	// RecoveryCodes are shown once, after they were made.
	RecoveryCodes []string
	Apps          []AccountApp
	Sessions      []AccountSession
	// Notice and Error name texts account.notice.* and account.error.*.
	Notice string
	Error  string
	// Status is the HTTP status; 0 means 200.
	Status int
}

// AccountAuthenticator is one authenticator app or passkey.
type AccountAuthenticator struct {
	ID, Kind, Name    string
	Created, LastUsed string
}

// AccountEnrolment is a new app's secret (see mfa.Enrolment).
type AccountEnrolment struct {
	QR     template.URL
	Secret string
	Sealed string
}

// AccountApp is one application the person allowed.
type AccountApp struct {
	ClientID, Name string
	Scopes         []string
	Since          string
}

// AccountSession is one signed-in browser.
type AccountSession struct {
	SID, UserAgent    string
	Created, LastSeen string
	Current           bool
}

// Account renders the account page.
func (r *Renderer) Account(w http.ResponseWriter, p AccountPage) error {
	v, err := accountView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func accountView(p AccountPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	for key, prefix := range map[string]string{p.Notice: "account.notice.", p.Error: "account.error."} {
		if key == "" {
			continue
		}
		if _, err := text(p.Lang, prefix+key); err != nil {
			return view{}, fmt.Errorf("account page: unknown message %q", key)
		}
	}
	v, err := newView("account", p.Lang, "account.title", true, p)
	if p.Status != 0 {
		v.status = p.Status
	}
	return v, err
}

// accountSamples are the account page's views for rehearse.
func accountSamples(lang string) []func() (view, error) {
	full := AccountPage{Lang: lang, Action: "/account", CSRF: "c", UserName: "u", Strong: true, Fresh: true,
		Authenticators: []AccountAuthenticator{{ID: "a", Kind: "totp", Name: "n", Created: "c", LastUsed: "l"},
			{ID: "p", Kind: "webauthn", Name: "k", Created: "c"}},
		HasRecovery: true, RecoveryLeft: 3, PasskeyEnrolURL: "/mfa/passkey/enrol?return=/account",
		Apps:     []AccountApp{{ClientID: "c", Name: "n", Scopes: []string{"openid", "x"}, Since: "s"}},
		Sessions: []AccountSession{{SID: "s", UserAgent: "ua", Created: "c", LastSeen: "l", Current: true}, {SID: "t"}},
		Notice:   "revoked", Error: "invalid"}
	enrol := full
	enrol.Enrolment = &AccountEnrolment{QR: "data:image/png;base64,AA", Secret: "S", Sealed: "e"}
	codes := full
	codes.RecoveryCodes = []string{"a-b"}
	stale := full
	stale.Fresh = false
	return []func() (view, error){
		func() (view, error) { return accountView(full) },
		func() (view, error) { return accountView(enrol) },
		func() (view, error) { return accountView(codes) },
		func() (view, error) { return accountView(stale) },
		func() (view, error) { return accountView(AccountPage{Lang: lang}) },
	}
}

func init() {
	pageNames = append(pageNames, "account")
	for lang, texts := range accountCatalog {
		for k, v := range texts {
			catalog[lang][k] = v
		}
	}
}
