package templates

import (
	"fmt"
	"net/http"
)

// The texts a password page can show above its form, for
// PasswordPage.Error. The Password*Reason ones say why the directory
// refused the new password; PasswordRefused is for a reason not known.
const (
	PasswordMismatch     = "mismatch"  // new and repeat differ
	PasswordSame         = "same"      // new is the current password
	PasswordWrongCurrent = "wrong"     // the current password is wrong
	PasswordLocked       = "locked"    // the account is locked
	PasswordThrottled    = "throttled" // too many wrong current passwords
	PasswordUnavailable  = "unavailable"
	PasswordRefused      = "refused"
	PasswordTooShort     = "too_short"
	PasswordTooSimple    = "too_simple"
	PasswordInHistory    = "in_history"
	PasswordTooYoung     = "too_young"
)

// PasswordPage asks a person whose password has expired or must be
// changed for a new one. Its form posts csrf, flow, current, new and
// repeat to Action; the username is shown, not posted: the flow knows it.
type PasswordPage struct {
	Lang   string
	Action string
	CSRF   string
	Flow   string
	// ClientName and LogoURI are the client's, in Lang; may be empty.
	ClientName string
	LogoURI    string
	// Username is who is changing their password, as they typed it.
	Username string
	// Error is one of the Password* constants, or empty.
	Error string
	// Status is the HTTP status; 0 means 200. Headers stay those of the
	// page (no-store, Content-Language) whatever the status.
	Status int
}

// Password renders the change-password form.
func (r *Renderer) Password(w http.ResponseWriter, p PasswordPage) error {
	v, err := passwordView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func passwordView(p PasswordPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	if p.Error != "" {
		if _, err := text(p.Lang, "password.error."+p.Error); err != nil {
			return view{}, fmt.Errorf("password page: unknown error %q", p.Error)
		}
	}
	v, err := newView("password", p.Lang, "password.title", true, p)
	if p.Status != 0 {
		v.status = p.Status
	}
	return v, err
}
