package passkey

import (
	"slices"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"

	"github.com/gatehouse-idp/gatehouse/provider/mfa"
)

func TestGrade(t *testing.T) {
	const (
		up = protocol.FlagUserPresent
		uv = protocol.FlagUserVerified
		be = protocol.FlagBackupEligible
		bs = protocol.FlagBackupState
	)
	for _, tc := range []struct {
		name         string
		flags        protocol.AuthenticatorFlags
		withPassword bool
		acr          string
		amr          []string
	}{
		{name: "security key with PIN, passwordless", flags: up | uv, acr: mfa.ACRPhishingResistant, amr: []string{"hwk", "user"}},
		{name: "synced passkey, passwordless", flags: up | uv | be | bs, acr: mfa.ACRPhishingResistant, amr: []string{"swk", "user"}},
		{name: "after the password, verified", flags: up | uv, withPassword: true, acr: mfa.ACRPhishingResistant, amr: []string{"hwk", "user", "mfa"}},
		{name: "after the password, presence only", flags: up, withPassword: true, acr: mfa.ACRMFA, amr: []string{"hwk", "mfa"}},
		{name: "eligible but not backed up yet", flags: up | be, withPassword: true, acr: mfa.ACRMFA, amr: []string{"swk", "mfa"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			acr, amr := grade(tc.flags, tc.withPassword)
			if acr != tc.acr || !slices.Equal(amr, tc.amr) {
				t.Errorf("grade = %s %v, want %s %v", acr, amr, tc.acr, tc.amr)
			}
		})
	}
}

func TestNextCount(t *testing.T) {
	for _, tc := range []struct {
		name        string
		stored, got uint32
		want        uint32
		ok          bool
	}{
		{name: "no counter kept", want: 0, ok: true},
		{name: "first use", stored: 0, got: 1, want: 1, ok: true},
		{name: "grows", stored: 5, got: 9, want: 9, ok: true},
		{name: "same again", stored: 5, got: 5, want: 5},
		{name: "goes back", stored: 5, got: 3, want: 5},
		{name: "drops to zero", stored: 5, got: 0, want: 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := nextCount(tc.stored, tc.got)
			if got != tc.want || ok != tc.ok {
				t.Errorf("nextCount(%d, %d) = %d, %v", tc.stored, tc.got, got, ok)
			}
		})
	}
}

func TestAddAMR(t *testing.T) {
	got := addAMR([]string{"pwd"}, []string{"hwk", "pwd", "mfa"})
	if !slices.Equal(got, []string{"pwd", "hwk", "mfa"}) {
		t.Errorf("addAMR = %v", got)
	}
}
