package flow

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestSignInOutcome(t *testing.T) {
	tests := []struct {
		outcome oauth.LoginOutcome
		want    string
	}{
		{oauth.LoginOK, audit.OutcomeOK},
		{oauth.LoginInvalid, audit.OutcomeInvalid},
		{oauth.LoginLocked, audit.OutcomeLocked},
		{oauth.LoginExpired, audit.OutcomeExpired},
		{oauth.LoginMustChange, audit.OutcomeMustChange},
		{oauth.LoginDisabled, audit.OutcomeDisabled},
		{oauth.LoginAccountExpired, audit.OutcomeAccountExpired},
		{oauth.LoginNotPermitted, audit.OutcomeNotPermitted},
		{oauth.LoginOutcome(99), audit.OutcomeInvalid},
	}
	for _, tc := range tests {
		if got := signInOutcome(tc.outcome); got != tc.want {
			t.Errorf("signInOutcome(%d) = %q, want %q", tc.outcome, got, tc.want)
		}
	}
}

func TestCutUsername(t *testing.T) {
	tests := []struct {
		name, in string
		wantLen  int
	}{
		{name: "short", in: "müller", wantLen: len("müller")},
		{name: "long ascii", in: strings.Repeat("a", 2000), wantLen: maxAuditUsername},
		// "ü" is two bytes: the cut falls inside one and steps back.
		{name: "long on a rune boundary", in: "a" + strings.Repeat("ü", 500), wantLen: maxAuditUsername - 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cut(tc.in)
			if len(got) != tc.wantLen || !utf8.ValidString(got) || !strings.HasPrefix(tc.in, got) {
				t.Errorf("cut: %d bytes (valid %v), want %d bytes of the start", len(got), utf8.ValidString(got), tc.wantLen)
			}
		})
	}
}
