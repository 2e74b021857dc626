package flow

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/templates"
)

func TestPasswordFormChecks(t *testing.T) {
	long := strings.Repeat("x", oauth.MaxPassword+1)
	tests := []struct {
		name                  string
		current, next, repeat string
		want                  string
	}{
		{name: "fine", current: "old-1", next: "new-1", repeat: "new-1", want: ""},
		{name: "not repeated", current: "old-1", next: "new-1", repeat: "new-2", want: templates.PasswordMismatch},
		{name: "same as current", current: "old-1", next: "old-1", repeat: "old-1", want: templates.PasswordSame},
		{name: "empty", current: "old-1", want: templates.PasswordTooShort},
		{name: "new too long", current: "old-1", next: long, repeat: long, want: templates.PasswordRefused},
		{name: "current too long", current: long, next: "new-1", repeat: "new-1", want: templates.PasswordWrongCurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkNewPassword(tc.current, tc.next, tc.repeat); got != tc.want {
				t.Errorf("checkNewPassword = %q, want %q", got, tc.want)
			}
		})
	}
}

// Every answer of a PasswordChanger becomes a text the page has, and a
// reason never shows the directory's own words.
func TestPasswordChangeKeys(t *testing.T) {
	tests := []struct {
		change oauth.PasswordChange
		reason string
		want   string
	}{
		{oauth.PasswordWrongCurrent, "", templates.PasswordWrongCurrent},
		{oauth.PasswordLocked, "", templates.PasswordLocked},
		{oauth.PasswordRefused, ReasonTooShort, templates.PasswordTooShort},
		{oauth.PasswordRefused, ReasonTooSimple, templates.PasswordTooSimple},
		{oauth.PasswordRefused, ReasonInHistory, templates.PasswordInHistory},
		{oauth.PasswordRefused, ReasonTooYoung, templates.PasswordTooYoung},
		{oauth.PasswordRefused, "", templates.PasswordRefused},
		{oauth.PasswordRefused, "Password fails quality checking policy", templates.PasswordRefused},
	}
	pages, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		got := changeKey(tc.change, tc.reason)
		if got != tc.want {
			t.Errorf("changeKey(%v, %q) = %q, want %q", tc.change, tc.reason, got, tc.want)
		}
		if err := pages.Password(discard{}, templates.PasswordPage{Error: got}); err != nil {
			t.Errorf("page for %q: %v", got, err)
		}
	}
}

func TestPasswordLoginOutcomeKeys(t *testing.T) {
	tests := []struct {
		outcome oauth.LoginOutcome
		want    string
	}{
		{oauth.LoginInvalid, templates.LoginInvalid},
		{oauth.LoginLocked, templates.LoginLocked},
		{oauth.LoginExpired, templates.LoginExpired},
		{oauth.LoginMustChange, templates.LoginMustChange},
		{oauth.LoginDisabled, templates.LoginDisabled},
		{oauth.LoginAccountExpired, templates.LoginAccountExpired},
		{oauth.LoginNotPermitted, templates.LoginNotPermitted},
	}
	for _, tc := range tests {
		if got := outcomeKey(tc.outcome); got != tc.want {
			t.Errorf("outcomeKey(%v) = %q, want %q", tc.outcome, got, tc.want)
		}
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
