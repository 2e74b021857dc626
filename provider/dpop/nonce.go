package dpop

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"time"
)

// NonceHeader is the response header that provides a nonce (§8.1).
const NonceHeader = "DPoP-Nonce"

// nonceLabel separates the nonce MAC from any other use of the key.
const nonceLabel = "gatehouse dpop nonce v1"

// nonceMACSize is how much of the HMAC a nonce carries: 128 bits.
const nonceMACSize = 16

// DeriveNonceKey derives the nonces' key from a deployment's secret (the
// key set's AES key), so that no key of its own needs distributing.
func DeriveNonceKey(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(nonceLabel))
	return m.Sum(nil)
}

// Nonce returns the current nonce: the slot number and its MAC.
func (c *Checker) Nonce() string { return c.nonceFor(c.slot(c.opts.Now())) }

// OfferNonce sets DPoP-Nonce on an answer when nonces are on: a client
// learns the nonce from any answer, error or not (§8.2).
func (c *Checker) OfferNonce(h http.Header) {
	if c != nil && c.opts.Nonce {
		h.Set(NonceHeader, c.Nonce())
	}
}

func (c *Checker) slot(t time.Time) uint64 {
	return uint64(t.UnixNano() / int64(c.opts.NonceLifetime))
}

func (c *Checker) nonceFor(slot uint64) string {
	b := binary.BigEndian.AppendUint64(nil, slot)
	return base64.RawURLEncoding.EncodeToString(append(b, c.nonceMAC(b)...))
}

func (c *Checker) nonceMAC(slot []byte) []byte {
	m := hmac.New(sha256.New, c.opts.NonceKey)
	m.Write([]byte(nonceLabel))
	m.Write(slot)
	return m.Sum(nil)[:nonceMACSize]
}

// validNonce accepts a nonce of the current slot or the one before, so a
// nonce handed out just before a slot ends still works once.
func (c *Checker) validNonce(n string, now time.Time) bool {
	raw, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(raw) != 8+nonceMACSize {
		return false
	}
	slot, cur := binary.BigEndian.Uint64(raw[:8]), c.slot(now)
	if slot != cur && slot+1 != cur {
		return false
	}
	return hmac.Equal(raw[8:], c.nonceMAC(raw[:8]))
}
