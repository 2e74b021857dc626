package mfa

import (
	"context"
	"crypto/hmac"
	"errors"
	"net/http"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
	"github.com/gatehouse-idp/gatehouse/templates"
)

// errWrongCode: no authenticator accepted the code.
var errWrongCode = errors.New("mfa: wrong code")

// errMayNotEnrol: the session is too weak to add an app (MayAddFactor).
var errMayNotEnrol = errors.New("mfa: may not add an app")

// Submit serves POST /mfa: a code from the app, a recovery code, the
// first code of an enrolment, or "continue" after the recovery codes were
// shown.
func (h *Handler) Submit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, "en", http.StatusBadRequest, "bad_request", "invalid_request")
		return
	}
	form := r.PostForm
	p, ok := h.load(w, r, form.Get("flow"))
	if !ok {
		return
	}
	if !hmac.Equal([]byte(h.csrf(p.flow.ID)), []byte(form.Get("csrf"))) {
		h.errorPage(w, p.lang, http.StatusForbidden, "csrf", "invalid_request")
		return
	}
	if form.Get("action") == "continue" {
		h.continueIfStepped(w, r, p)
		return
	}
	key := throttleKey(p.sess.Subject)
	allowed, _, err := h.Throttle.AllowKnown(r.Context(), key)
	if err != nil {
		h.failed(w, r, p.lang, err)
		return
	}
	if !allowed {
		h.show(w, r, p, http.StatusTooManyRequests, templates.MFAThrottled)
		return
	}
	code := normalizeCode(form.Get("code"))
	var codes []string
	switch form.Get("action") {
	case "recovery":
		err = h.useRecoveryCode(r.Context(), p.sess.Subject, code)
	case "enrol":
		codes, err = h.enrol(r.Context(), p, form.Get("enrolment"), code)
	default:
		err = h.checkCode(r.Context(), p.sess.Subject, code)
	}
	if errors.Is(err, errWrongCode) {
		if ferr := h.Throttle.FailKnown(r.Context(), key); ferr != nil {
			h.Log.Warn("second factor: record failure", "err", ferr)
		}
		h.show(w, r, p, http.StatusOK, templates.MFAInvalid)
		return
	}
	if errors.Is(err, errMayNotEnrol) {
		h.errorPage(w, p.lang, http.StatusForbidden, "bad_request", "access_denied")
		return
	}
	if err != nil {
		h.failed(w, r, p.lang, err)
		return
	}
	_ = h.Throttle.Succeed(r.Context(), key) // failures expire anyway
	if err := h.stepUp(r.Context(), p); err != nil {
		h.failed(w, r, p.lang, err)
		return
	}
	if codes != nil {
		h.render(w, templates.MFAPage{Lang: p.lang, Action: h.Path, CSRF: h.csrf(p.flow.ID), Flow: p.flow.ID,
			Mode: templates.MFACodes, RecoveryCodes: codes, FormAction: formAction(p.flow)})
		return
	}
	h.Resume(w, r, p.flow.ID)
}

// stepUp records the second factor in the session: acr mfa, amr with
// otp and mfa (RFC 8176 §2), auth_time now.
func (h *Handler) stepUp(ctx context.Context, p pending) error {
	s := p.sess
	s.ACR, s.AuthTime = ACRMFA, h.Now()
	for _, m := range []string{"otp", "mfa"} {
		if !slices.Contains(s.AMR, m) {
			s.AMR = append(s.AMR, m)
		}
	}
	return h.Sessions.Update(ctx, s)
}

func (h *Handler) continueIfStepped(w http.ResponseWriter, r *http.Request, p pending) {
	if level(p.sess.ACR) < level(ACRMFA) {
		h.show(w, r, p, http.StatusOK, "")
		return
	}
	h.Resume(w, r, p.flow.ID)
}

// checkCode tries the code against each authenticator app of subject,
// recording the step it matched in the same compare-and-swap that reads
// the last one: on two instances at once, one of two uses of a code fails.
func (h *Handler) checkCode(ctx context.Context, subject, code string) error {
	list, err := h.Store.List(ctx, subject)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a.Kind != oauth.AuthenticatorTOTP {
			continue
		}
		_, err := h.Store.Update(ctx, subject, a.ID, func(a oauth.Authenticator) (oauth.Authenticator, error) {
			secret, err := h.secrets.open(subject, a.Secret)
			if err != nil {
				return a, errWrongCode
			}
			step, ok := checkTOTP(secret, code, h.Now(), a.Data.TOTPLastStep)
			if !ok {
				return a, errWrongCode
			}
			a.Data.TOTPLastStep, a.LastUsed = step, h.Now()
			return a, nil
		})
		if err == nil {
			return nil
		}
		if errors.Is(err, storage.ErrConflict) {
			return errWrongCode // used at the same moment elsewhere
		}
		if !errors.Is(err, errWrongCode) {
			return err
		}
	}
	return errWrongCode
}

// useRecoveryCode takes the code out of the person's set, once.
func (h *Handler) useRecoveryCode(ctx context.Context, subject, code string) error {
	list, err := h.Store.List(ctx, subject)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a.Kind != oauth.AuthenticatorRecovery {
			continue
		}
		_, err := h.Store.Update(ctx, subject, a.ID, func(a oauth.Authenticator) (oauth.Authenticator, error) {
			rest, ok := h.recovery.consume(subject, code, a.RecoveryCodes)
			if !ok {
				return a, errWrongCode
			}
			a.RecoveryCodes, a.LastUsed = rest, h.Now()
			return a, nil
		})
		if errors.Is(err, storage.ErrConflict) {
			return errWrongCode
		}
		return err
	}
	return errWrongCode
}

// enrol checks the first code of a new authenticator app, stores it, and
// gives the person a fresh set of recovery codes, returned to be shown once.
func (h *Handler) enrol(ctx context.Context, p pending, sealed, code string) ([]string, error) {
	subject := p.sess.Subject
	list, err := h.Store.List(ctx, subject)
	if err != nil {
		return nil, err
	}
	if !MayAddFactor(list, p.sess.ACR) { // as show decides, again here
		return nil, errMayNotEnrol
	}
	secret, err := h.enrolments.open(subject+"\x00"+p.flow.ID, sealed)
	if err != nil {
		return nil, errWrongCode
	}
	step, ok := checkTOTP(secret, code, h.Now(), 0)
	if !ok {
		return nil, errWrongCode
	}
	now := h.Now()
	_, err = h.Store.Create(ctx, oauth.Authenticator{ID: randomID(), Subject: subject, Kind: oauth.AuthenticatorTOTP,
		Name: "Authenticator app", Secret: h.secrets.seal(subject, secret),
		Data: oauth.AuthenticatorData{TOTPLastStep: step}, Created: now, LastUsed: now})
	if err != nil {
		return nil, err
	}
	return h.newRecoverySet(ctx, subject)
}

// newRecoverySet replaces the person's recovery codes with fresh ones.
func (h *Handler) newRecoverySet(ctx context.Context, subject string) ([]string, error) {
	list, err := h.Store.List(ctx, subject)
	if err != nil {
		return nil, err
	}
	for _, a := range list {
		if a.Kind == oauth.AuthenticatorRecovery {
			if err := h.Store.Delete(ctx, subject, a.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, err
			}
		}
	}
	codes := newRecoveryCodes()
	_, err = h.Store.Create(ctx, oauth.Authenticator{ID: randomID(), Subject: subject, Kind: oauth.AuthenticatorRecovery,
		Name: "Recovery codes", RecoveryCodes: h.recovery.hashAll(subject, codes), Created: h.Now()})
	return codes, err
}

// throttleKey names a person's wrong codes in the throttle, at /mfa and
// when adding an app on the account page alike.
func throttleKey(subject string) string { return "mfa:" + subject }
