package mfa

import (
	"context"
	"errors"
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// What the account page (package account) needs of strong sign-in: adding
// an authenticator app outside a sign-in, and fresh recovery codes. The
// enrolment works as at /mfa — the secret travels sealed in the form,
// bound to the person and to bind (the page binds it to the session), and
// nothing is stored until the first code is right.

// ErrWrongCode: the code does not match the enrolment's secret.
var ErrWrongCode = errWrongCode

// ErrThrottled: too many wrong codes of this person lately (the count of
// /mfa); the code was not checked.
var ErrThrottled = errors.New("mfa: too many wrong codes")

// MaxNameBytes bounds the name a person gives an authenticator.
const MaxNameBytes = 64

// Enrolment is a new authenticator app's secret, ready for the page.
type Enrolment struct {
	QR     template.URL // a PNG data: URI
	Secret string       // base32, for typing in
	Sealed string       // for the form's hidden field
}

// StartEnrolment makes a fresh secret for subject, bound to bind.
func (h *Handler) StartEnrolment(subject, bind string) (Enrolment, error) {
	secret := newTOTPSecret()
	qr, err := qrDataURI(otpauthURI(h.Issuer, subject, secret))
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{
		QR:     template.URL(qr), //nolint:gosec // a data: URI we made ourselves
		Secret: base32NoPad.EncodeToString(secret),
		Sealed: h.enrolments.seal(subject+"\x00account\x00"+bind, secret),
	}, nil
}

// FinishEnrolment checks the first code against the sealed secret and
// stores the app under name. A person without recovery codes gets a set,
// returned to be shown once; one who has them keeps theirs (nil).
//
// Wrong codes count in the throttle under the person's /mfa key: a signed-in
// browser (or whoever holds its cookie) guessing here is slowed as at /mfa.
// Past the limit it is ErrThrottled without a check.
func (h *Handler) FinishEnrolment(ctx context.Context, subject, bind, sealed, code, name string) ([]string, error) {
	key := throttleKey(subject)
	allowed, _, err := h.Throttle.AllowKnown(ctx, key)
	if err != nil {
		return nil, err
	}
	if !allowed {
		return nil, ErrThrottled
	}
	secret, err := h.enrolments.open(subject+"\x00account\x00"+bind, sealed)
	if err != nil {
		return nil, errWrongCode
	}
	step, ok := checkTOTP(secret, normalizeCode(code), h.Now(), 0)
	if !ok {
		if ferr := h.Throttle.FailKnown(ctx, key); ferr != nil {
			h.Log.Warn("account enrolment: record failure", "err", ferr)
		}
		return nil, errWrongCode
	}
	_ = h.Throttle.Succeed(ctx, key) // failures expire anyway
	if name = CleanName(name); name == "" {
		name = "Authenticator app"
	}
	now := h.Now()
	if _, err := h.Store.Create(ctx, oauth.Authenticator{ID: randomID(), Subject: subject, Kind: oauth.AuthenticatorTOTP,
		Name: name, Secret: h.secrets.seal(subject, secret),
		Data: oauth.AuthenticatorData{TOTPLastStep: step}, Created: now, LastUsed: now}); err != nil {
		return nil, err
	}
	list, err := h.Store.List(ctx, subject)
	if err != nil {
		return nil, err
	}
	if hasKind(list, oauth.AuthenticatorRecovery) {
		return nil, nil
	}
	return h.newRecoverySet(ctx, subject)
}

// NewRecoveryCodes replaces subject's recovery codes with fresh ones,
// returned to be shown once.
func (h *Handler) NewRecoveryCodes(ctx context.Context, subject string) ([]string, error) {
	return h.newRecoverySet(ctx, subject)
}

// CleanName trims a name given to an authenticator, drops control
// characters and cuts it to MaxNameBytes; "" when nothing is left.
func CleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > MaxNameBytes {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return strings.TrimSpace(name)
}

// ResumeEnrolment shows a sealed enrolment again (after a wrong first
// code), so that the app already set up stays good.
func (h *Handler) ResumeEnrolment(subject, bind, sealed string) (Enrolment, error) {
	secret, err := h.enrolments.open(subject+"\x00account\x00"+bind, sealed)
	if err != nil {
		return Enrolment{}, errWrongCode
	}
	qr, err := qrDataURI(otpauthURI(h.Issuer, subject, secret))
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{QR: template.URL(qr), //nolint:gosec // a data: URI we made ourselves
		Secret: base32NoPad.EncodeToString(secret), Sealed: sealed}, nil
}

// StepUpSession records a second factor in sess, as /mfa does: a person
// who just proved an app with its first code has used it.
func (h *Handler) StepUpSession(ctx context.Context, sess session.Session) error {
	return h.stepUp(ctx, pending{sess: sess})
}
