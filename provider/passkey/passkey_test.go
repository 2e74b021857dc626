package passkey

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/gatehouse-idp/gatehouse/provider/mfa"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

func TestUserHandle(t *testing.T) {
	a, b := userHandle("alice-uuid"), userHandle("bob-uuid")
	if len(a) == 0 || len(a) > 64 || bytes.Equal(a, b) || !bytes.Equal(a, userHandle("alice-uuid")) {
		t.Fatalf("handles %x %x: want stable, distinct, at most 64 bytes", a, b)
	}
	if bytes.Contains(a, []byte("alice")) {
		t.Error("the handle shows the sub")
	}
	if !handleMatches(a, "alice-uuid") || handleMatches(a, "bob-uuid") || handleMatches(nil, "alice-uuid") {
		t.Error("handleMatches")
	}
}

func TestStrongEnough(t *testing.T) {
	app := []oauth.Authenticator{{Kind: oauth.AuthenticatorTOTP}}
	key := []oauth.Authenticator{{Kind: oauth.AuthenticatorPasskey}}
	codes := []oauth.Authenticator{{Kind: oauth.AuthenticatorRecovery}}
	for _, tc := range []struct {
		name string
		list []oauth.Authenticator
		acr  string
		want bool
	}{
		{name: "no factor yet, password", acr: mfa.ACRPassword, want: true},
		{name: "recovery codes only, password", list: codes, acr: mfa.ACRPassword, want: true},
		{name: "app enrolled, password only", list: app, acr: mfa.ACRPassword},
		{name: "passkey enrolled, password only", list: key, acr: mfa.ACRPassword},
		{name: "app enrolled, code given", list: app, acr: mfa.ACRMFA, want: true},
		{name: "passkey session", list: key, acr: mfa.ACRPhishingResistant, want: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strongEnough(tc.list, tc.acr); got != tc.want {
				t.Errorf("strongEnough = %v", got)
			}
		})
	}
}

func TestPasskeyName(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "Passkey",
		"  YubiKey 5 ":           "YubiKey 5",
		"phone\x00\x1b[31m":      "phone[31m",
		strings.Repeat("ä", 100): strings.Repeat("ä", maxNameRunes),
		"\xff\xfe":               "Passkey",
	} {
		if got := passkeyName(in); got != want {
			t.Errorf("passkeyName(%q) = %q, want %q", in, got, want)
		}
	}
}

// A ceremony is answered once: the second take finds nothing, and a
// ceremony of one flow is not another's.
func TestCeremonySingleUse(t *testing.T) {
	h := &Handler{Options: Options{KV: session.NewMemory(session.MemoryOptions{})}}
	ctx := t.Context()
	c := ceremony{Data: webauthn.SessionData{Challenge: "challenge-1"}, Subject: "alice"}
	if err := h.keep(ctx, kindVerify, "flow-a", "", c); err != nil {
		t.Fatal(err)
	}
	if _, err := h.take(ctx, kindVerify, "flow-b"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another flow's ceremony: %v", err)
	}
	if _, err := h.take(ctx, kindSignIn, "flow-a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another kind's ceremony: %v", err)
	}
	got, err := h.take(ctx, kindVerify, "flow-a")
	if err != nil || got.Data.Challenge != "challenge-1" || got.Subject != "alice" {
		t.Fatalf("take = %+v, %v", got, err)
	}
	if _, err := h.take(ctx, kindVerify, "flow-a"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("second take: %v", err)
	}
	// The passwordless page's ceremonies are evictable, grouped by address.
	if err := h.keep(ctx, kindSignIn, "flow-c", "127.0.0.1", ceremony{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.take(ctx, kindSignIn, "flow-c"); err != nil {
		t.Errorf("evictable ceremony: %v", err)
	}
}

func TestCredentialRoundTrip(t *testing.T) {
	a := oauth.Authenticator{Kind: oauth.AuthenticatorPasskey, CredentialID: []byte{1, 2}, PublicKey: []byte{3},
		SignCount: 7, Data: oauth.AuthenticatorData{BackupEligible: true, BackupState: true, UserVerified: true,
			AAGUID: []byte{9}, Transports: []string{"internal"}}}
	c := credentialOf(a)
	if !c.Flags.BackupEligible || !c.Flags.BackupState || !c.Flags.UserVerified || c.Authenticator.SignCount != 7 {
		t.Errorf("credentialOf = %+v", c)
	}
	back := storedPasskey(&c)
	if back.SignCount != 7 || !back.Data.BackupEligible || !back.Data.BackupState ||
		!bytes.Equal(back.CredentialID, a.CredentialID) || back.Data.Transports[0] != "internal" {
		t.Errorf("storedPasskey = %+v", back)
	}
}

func TestUsable(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080": false, "http://[::1]:8080": false,
		"http://localhost:8080": true, "https://idp.example.org/tenant": true,
	} {
		u, _ := url.Parse(raw)
		if err := Usable(u); (err == nil) != ok {
			t.Errorf("Usable(%s) = %v", raw, err)
		}
	}
}
