package mfa

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// RFC 6238 Appendix B (SHA-1), cut to six digits as RFC 4226 §5.3 does.
func TestTOTPVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	for _, tc := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1234567890, "005924"}, {20000000000, "353130"}} {
		if got := totpCode(secret, totpStepAt(time.Unix(tc.unix, 0))); got != tc.want {
			t.Errorf("T=%d: %s, want %s", tc.unix, got, tc.want)
		}
	}
}

func TestCheckTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	now := time.Unix(1111111109, 0)
	step := totpStepAt(now)
	for _, tc := range []struct {
		name     string
		codeStep int64
		lastStep int64
		ok       bool
	}{
		{name: "now", codeStep: step, ok: true},
		{name: "one step early", codeStep: step - 1, ok: true},
		{name: "one step late", codeStep: step + 1, ok: true},
		{name: "two steps early", codeStep: step - 2},
		{name: "used already", codeStep: step, lastStep: step},
		{name: "older than the last used", codeStep: step - 1, lastStep: step},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := checkTOTP(secret, totpCode(secret, tc.codeStep), now, tc.lastStep)
			if ok != tc.ok || (ok && got != tc.codeStep) {
				t.Errorf("checkTOTP = %d, %v", got, ok)
			}
		})
	}
	if _, ok := checkTOTP(secret, "12345", now, 0); ok {
		t.Error("a five-digit code passed")
	}
}

func TestRecoveryCodesAreSingleUse(t *testing.T) {
	h := recoveryHasher{key: []byte("k")}
	codes := newRecoveryCodes()
	stored := h.hashAll("alice", codes)
	rest, ok := h.consume("alice", " "+codes[3]+" ", stored)
	if !ok || len(rest) != recoveryCount-1 {
		t.Fatalf("consume = %d left, %v", len(rest), ok)
	}
	if _, ok := h.consume("alice", codes[3], rest); ok {
		t.Error("a code was good twice")
	}
	if _, ok := h.consume("bob", codes[4], stored); ok {
		t.Error("alice's code worked for bob")
	}
}

func TestSealBindsSubject(t *testing.T) {
	s, err := newSealer(make([]byte, 32), "totp secret")
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.seal("alice", []byte("secret"))
	if got, err := s.open("alice", sealed); err != nil || string(got) != "secret" {
		t.Errorf("open = %q, %v", got, err)
	}
	if _, err := s.open("bob", sealed); err == nil {
		t.Error("a secret sealed for alice opened for bob")
	}
}

type listOnly []oauth.Authenticator

func (l listOnly) List(context.Context, string) ([]oauth.Authenticator, error) { return l, nil }
func (listOnly) Create(context.Context, oauth.Authenticator) (oauth.Authenticator, error) {
	return oauth.Authenticator{}, nil
}
func (listOnly) Update(context.Context, string, string, func(oauth.Authenticator) (oauth.Authenticator, error)) (oauth.Authenticator, error) {
	return oauth.Authenticator{}, nil
}
func (listOnly) Delete(context.Context, string, string) error { return nil }

func TestPolicyNeeded(t *testing.T) {
	app := listOnly{{Kind: oauth.AuthenticatorTOTP}}
	groups := func(context.Context, string) ([]string, error) { return []string{"admins"}, nil }
	for _, tc := range []struct {
		name  string
		cfg   PolicyConfig
		store listOnly
		acrs  []string
		acr   string
		want  bool
	}{
		{name: "optional, nothing enrolled", cfg: PolicyConfig{}, acr: ACRPassword},
		{name: "optional, app enrolled", cfg: PolicyConfig{}, store: app, acr: ACRPassword, want: true},
		{name: "recovery codes alone", store: listOnly{{Kind: oauth.AuthenticatorRecovery}}, acr: ACRPassword},
		{name: "client asks mfa", acrs: []string{"other", ACRMFA}, acr: ACRPassword, want: true},
		{name: "client asks pwd", acrs: []string{ACRPassword}, acr: ACRPassword},
		{name: "already mfa", cfg: PolicyConfig{Mode: ModeRequired}, acrs: []string{ACRMFA}, acr: ACRMFA},
		{name: "required", cfg: PolicyConfig{Mode: ModeRequired}, acr: ACRPassword, want: true},
		{name: "off ignores clients", cfg: PolicyConfig{Mode: ModeOff}, acrs: []string{ACRMFA}, acr: ACRPassword},
		{name: "group member", cfg: PolicyConfig{Groups: []string{"admins"}, GroupsOf: groups}, acr: ACRPassword, want: true},
		{name: "not a member", cfg: PolicyConfig{Groups: []string{"ops"}, GroupsOf: groups}, acr: ACRPassword},
		{name: "phr asked of an mfa session", cfg: PolicyConfig{Passkeys: true}, acrs: []string{ACRPhishingResistant}, acr: ACRMFA, want: true},
		{name: "phr met by a passkey", cfg: PolicyConfig{Passkeys: true}, acrs: []string{ACRPhishingResistant}, acr: ACRPhishingResistant},
		{name: "phr without passkeys: mfa is the most", acrs: []string{ACRPhishingResistant}, acr: ACRMFA},
		{name: "phr without passkeys asks a code", acrs: []string{ACRPhishingResistant}, acr: ACRPassword, want: true},
		{name: "mfa or phr: the weaker is enough", cfg: PolicyConfig{Passkeys: true}, acrs: []string{ACRMFA, ACRPhishingResistant}, acr: ACRMFA},
		{name: "passwordless passkey session", cfg: PolicyConfig{Mode: ModeRequired, Passkeys: true}, acr: ACRPhishingResistant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewPolicy(tc.cfg, tc.store).Needed(t.Context(), tc.acrs, "alice", tc.acr)
			if err != nil || got != tc.want {
				t.Errorf("Needed = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestNeedsPasskey(t *testing.T) {
	for _, tc := range []struct {
		name string
		acrs []string
		acr  string
		want bool
	}{
		{name: "phr asked, mfa session", acrs: []string{ACRPhishingResistant}, acr: ACRMFA, want: true},
		{name: "phr asked, phr session", acrs: []string{ACRPhishingResistant}, acr: ACRPhishingResistant},
		{name: "mfa or phr asked", acrs: []string{ACRPhishingResistant, ACRMFA}, acr: ACRPassword},
		{name: "nothing asked", acr: ACRPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NeedsPasskey(tc.acrs, tc.acr); got != tc.want {
				t.Errorf("NeedsPasskey = %v", got)
			}
		})
	}
	p := NewPolicy(PolicyConfig{Passkeys: true}, nil)
	if got := p.SupportedACRValues(); len(got) != 3 || got[2] != ACRPhishingResistant {
		t.Errorf("SupportedACRValues with passkeys = %v", got)
	}
}
