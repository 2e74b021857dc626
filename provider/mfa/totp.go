package mfa

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // RFC 6238 TOTP is defined over HMAC-SHA-1, which every app supports
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"time"
)

// TOTP parameters (RFC 6238 §4): 30-second steps from the Unix epoch, six
// digits, HMAC-SHA-1 — the defaults every authenticator app implements.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
	// totpSkew is how many steps either side of now a code is accepted:
	// RFC 6238 §5.2 recommends at most one for clock drift and typing.
	totpSkew = 1
	// secretBytes is 160 bits, the HMAC-SHA-1 block output size RFC 4226
	// §4 recommends as the minimum.
	secretBytes = 20
)

var base32NoPad = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret returns fresh random key material.
func newTOTPSecret() []byte {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}

// totpStepAt is the time step counter T of RFC 6238 §4.2.
func totpStepAt(t time.Time) int64 { return t.Unix() / int64(totpStep/time.Second) }

// totpCode is the HOTP value (RFC 4226 §5.3) of the step, as six digits.
func totpCode(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", bin%1_000_000)
}

// checkTOTP finds the step within ±totpSkew of now whose code is code and
// which comes after lastStep (a code is good once, and never one older
// than the last used: RFC 6238 §5.2). It returns that step.
func checkTOTP(secret []byte, code string, now time.Time, lastStep int64) (int64, bool) {
	if len(code) != totpDigits {
		return 0, false
	}
	center := totpStepAt(now)
	for step := center - totpSkew; step <= center+totpSkew; step++ {
		if step <= lastStep {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(totpCode(secret, step)), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// otpauthURI is the enrolment URI authenticator apps read from the QR
// code (the de facto "Key Uri Format").
func otpauthURI(issuer, account string, secret []byte) string {
	label := url.PathEscape(issuer) + ":" + url.PathEscape(account)
	q := url.Values{"secret": {base32NoPad.EncodeToString(secret)}, "issuer": {issuer},
		"algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// normalizeCode drops the spaces and dashes people type inside codes.
func normalizeCode(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(out) <= 64; i++ {
		switch c := s[i]; {
		case c == ' ' || c == '-' || c == '\t':
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
