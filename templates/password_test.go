package templates

import (
	"net/http"
	"strings"
	"testing"
)

// passwordErrors are all the texts a password page can show.
var passwordErrors = []string{PasswordMismatch, PasswordSame, PasswordWrongCurrent, PasswordLocked,
	PasswordThrottled, PasswordUnavailable, PasswordRefused, PasswordTooShort, PasswordTooSimple,
	PasswordInHistory, PasswordTooYoung}

func TestPasswordPage(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		t.Run(lang, func(t *testing.T) {
			got := show(t, func(w http.ResponseWriter) error {
				return r.Password(w, PasswordPage{Lang: lang, Action: "/password", CSRF: "tok-1", Flow: "F1",
					ClientName: "Acme Expenses", Username: "carol"})
			})
			checkFrame(t, got, lang, true)
			b := got.body
			one(t, b, "form", map[string]string{"method": "post", "action": "/password"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "csrf", "value": "tok-1"})
			one(t, b, "input", map[string]string{"type": "hidden", "name": "flow", "value": "F1"})
			// The username is shown, and neither editable nor posted: the
			// flow knows whose password it is.
			user := one(t, b, "input", map[string]string{"id": "username", "value": "carol"})
			if _, ok := user.attrs["readonly"]; !ok {
				t.Error("username is editable")
			}
			if _, ok := user.attrs["name"]; ok {
				t.Error("username is posted")
			}
			one(t, b, "input", map[string]string{"name": "current", "type": "password", "autocomplete": "current-password"})
			one(t, b, "input", map[string]string{"name": "new", "type": "password", "autocomplete": "new-password"})
			one(t, b, "input", map[string]string{"name": "repeat", "type": "password", "autocomplete": "new-password"})
			one(t, b, "button", map[string]string{"type": "submit"})
			none(t, b, "p", map[string]string{"role": "alert"})
			if !strings.Contains(b, catalog[lang]["password.heading"]) || !strings.Contains(b, "Acme Expenses") {
				t.Errorf("heading or client name missing:\n%s", b)
			}
		})
	}
}

func TestPasswordPageErrors(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		for _, e := range passwordErrors {
			got := show(t, func(w http.ResponseWriter) error {
				return r.Password(w, PasswordPage{Lang: lang, CSRF: "c", Flow: "f", Username: "u", Error: e,
					Status: http.StatusTooManyRequests})
			})
			one(t, got.body, "p", map[string]string{"role": "alert"})
			if !strings.Contains(got.body, catalog[lang]["password.error."+e]) {
				t.Errorf("%s: error %q not shown", lang, e)
			}
			if got.status != http.StatusTooManyRequests || got.header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %q: status %d, Cache-Control %q", lang, e, got.status, got.header.Get("Cache-Control"))
			}
		}
	}
	if err := r.Password(nil, PasswordPage{Error: "no-such-error"}); err == nil || !strings.Contains(err.Error(), "unknown error") {
		t.Errorf("unknown error key: %v", err)
	}
}

// The login page names the refusals of an account that Active Directory
// tells apart, in every language.
func TestPasswordLoginAccountRefusals(t *testing.T) {
	r := load(t)
	for _, lang := range languages {
		for _, e := range []string{LoginDisabled, LoginAccountExpired, LoginNotPermitted} {
			got := show(t, func(w http.ResponseWriter) error {
				return r.Login(w, LoginPage{Lang: lang, CSRF: "c", Flow: "f", Error: e})
			})
			if !strings.Contains(got.body, catalog[lang]["login.error."+e]) {
				t.Errorf("%s: login error %q not shown", lang, e)
			}
		}
	}
}
