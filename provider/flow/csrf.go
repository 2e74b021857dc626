package flow

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// Steps of a flow that post a form; a CSRF token is good for one step of
// one flow only.
const (
	stepLogin   = "login"
	stepConsent = "consent"
)

// csrfToken binds a form to its flow and step: HMAC-SHA256 over both, so
// a token taken from one page cannot be replayed on another.
func (h *Handler) csrfToken(flowID, step string) string {
	mac := hmac.New(sha256.New, h.CSRFKey)
	mac.Write([]byte(step))
	mac.Write([]byte{0})
	mac.Write([]byte(flowID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// csrfValid compares in constant time.
func (h *Handler) csrfValid(flowID, step, token string) bool {
	return hmac.Equal([]byte(h.csrfToken(flowID, step)), []byte(token))
}
