package mfa

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// memStore is an in-memory Store for the pure logic of enrolment.
type memStore struct{ list []oauth.Authenticator }

func (m *memStore) List(context.Context, string) ([]oauth.Authenticator, error) { return m.list, nil }
func (m *memStore) Create(_ context.Context, a oauth.Authenticator) (oauth.Authenticator, error) {
	m.list = append(m.list, a)
	return a, nil
}
func (m *memStore) Update(context.Context, string, string,
	func(oauth.Authenticator) (oauth.Authenticator, error)) (oauth.Authenticator, error) {
	return oauth.Authenticator{}, errors.New("not used")
}
func (m *memStore) Delete(context.Context, string, string) error { return nil }

var (
	passkeyOnly = []oauth.Authenticator{{ID: "pk", Kind: oauth.AuthenticatorPasskey}}
	appOnly     = []oauth.Authenticator{{ID: "app", Kind: oauth.AuthenticatorTOTP}}
)

func TestMayAddFactor(t *testing.T) {
	for _, tc := range []struct {
		name string
		list []oauth.Authenticator
		acr  string
		want bool
	}{
		{"no factor, password", nil, ACRPassword, true},
		{"passkey, password", passkeyOnly, ACRPassword, false},
		{"app, password", appOnly, ACRPassword, false},
		{"passkey, unknown acr", passkeyOnly, "", false},
		{"passkey, mfa", passkeyOnly, ACRMFA, true},
		{"passkey, phr", passkeyOnly, ACRPhishingResistant, true},
	} {
		if got := MayAddFactor(tc.list, tc.acr); got != tc.want {
			t.Errorf("%s: MayAddFactor = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A password alone must not add an app (and so step up) for someone who
// has a passkey: the enrol answer is refused on the server however the
// form was had; once at acr mfa it is accepted.
func TestEnrolRefusedWithPasskeyAtPassword(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	key := bytes.Repeat([]byte{7}, 32)
	enrolments, err := newSealer(key, "totp enrolment")
	if err != nil {
		t.Fatal(err)
	}
	secrets, _ := newSealer(key, "totp secret")
	for _, tc := range []struct {
		acr  string
		want error
	}{{ACRPassword, errMayNotEnrol}, {ACRMFA, nil}} {
		store := &memStore{list: append([]oauth.Authenticator(nil), passkeyOnly...)}
		h := &Handler{Options: Options{Store: store, Issuer: "example.org", Now: func() time.Time { return now }},
			enrolments: enrolments, secrets: secrets, recovery: recoveryHasher{key: key}}
		p := pending{flow: session.Flow{ID: "flow-1", Subject: "sub-1"}, sess: session.Session{Subject: "sub-1", ACR: tc.acr}}
		secret := newTOTPSecret()
		sealed := enrolments.seal("sub-1\x00flow-1", secret)
		_, err := h.enrol(context.Background(), p, sealed, totpCode(secret, totpStepAt(now)))
		if !errors.Is(err, tc.want) {
			t.Errorf("acr %s: enrol = %v, want %v", tc.acr, err, tc.want)
		}
		if added := len(store.list) > 1; added != (tc.want == nil) {
			t.Errorf("acr %s: app stored = %v", tc.acr, added)
		}
	}
}

// ?other=code with a passkey and no app: the page offers no enrolment
// but sends the person to their passkey.
func TestShowSendsPasskeyHolderToPasskey(t *testing.T) {
	h := &Handler{Options: Options{Store: &memStore{list: passkeyOnly}, PasskeyPath: "/mfa/passkey"}}
	p := pending{flow: session.Flow{ID: "flow-1", Subject: "sub-1"}, sess: session.Session{Subject: "sub-1", ACR: ACRPassword}}
	w := httptest.NewRecorder()
	h.show(w, httptest.NewRequest(http.MethodGet, "/mfa?flow=flow-1&other=code", nil), p, http.StatusOK, "")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/mfa/passkey?flow=") {
		t.Fatalf("got %d to %q, want 303 to the passkey page", w.Code, w.Header().Get("Location"))
	}
	if strings.Contains(w.Body.String(), "otpauth") {
		t.Error("the answer carries an enrolment")
	}
}
