package flow

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// deviceCookie remembers that this browser has signed in as someone
// before (OWASP's "device cookie"): a sign-in as that person from it is
// not held back by the per-address limit, which anyone else behind the
// same NAT or proxy can use up. The username limit still applies.
//
// The value is an expiry and an HMAC over it and the username as typed
// (folded as the throttle folds it), so the cookie names no one to whoever
// reads it, and cannot be made for another name without the key. One
// browser remembers its last sign-in only.
const deviceCookie = "gatehouse_device"

// deviceLifetime is how long a browser stays known after a sign-in.
const deviceLifetime = 180 * 24 * time.Hour

// deviceMAC binds a device cookie's expiry to a username.
func (h *Handler) deviceMAC(username string, expires int64) []byte {
	mac := hmac.New(sha256.New, h.deviceKey)
	mac.Write([]byte(strconv.FormatInt(expires, 10)))
	mac.Write([]byte{0})
	mac.Write([]byte(strings.ToLower(strings.TrimSpace(username))))
	return mac.Sum(nil)
}

// setDeviceCookie marks the browser as known for username.
func (h *Handler) setDeviceCookie(w http.ResponseWriter, username string) {
	expires := h.Now().Add(deviceLifetime)
	value := strconv.FormatInt(expires.Unix(), 10) + "." +
		base64.RawURLEncoding.EncodeToString(h.deviceMAC(username, expires.Unix()))
	http.SetCookie(w, &http.Cookie{
		Name: deviceCookie, Value: value, Path: h.path("/login"),
		MaxAge: int(deviceLifetime / time.Second), HttpOnly: true,
		Secure: h.secureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// knownDevice tells whether the browser shows a live device cookie for
// username.
func (h *Handler) knownDevice(r *http.Request, username string) bool {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return false
	}
	exp, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return false
	}
	expires, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || !h.Now().Before(time.Unix(expires, 0)) {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	return err == nil && hmac.Equal(got, h.deviceMAC(username, expires))
}
