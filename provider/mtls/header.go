package mtls

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// MaxHeaderSize bounds the header value FromHeader reads. A client
// certificate is a few KiB; a longer value is refused before any decoding.
const MaxHeaderSize = 16 << 10

// ErrNoCertificate reports that no certificate was presented.
var ErrNoCertificate = errors.New("mtls: no client certificate")

// ErrBadCertificate reports a header value that holds no readable certificate.
var ErrBadCertificate = errors.New("mtls: malformed client certificate")

const (
	pemBegin = "-----BEGIN CERTIFICATE-----"
	pemEnd   = "-----END CERTIFICATE-----"
)

var markerPlus = strings.NewReplacer(
	"-----BEGIN+CERTIFICATE-----", pemBegin,
	"-----END+CERTIFICATE-----", pemEnd,
)

// FromHeader parses the client certificate a TLS proxy passed in a header:
// URL-encoded PEM (nginx $ssl_client_escaped_cert), PEM with spaces for
// newlines (Apache SSL_CLIENT_CERT), plain PEM, or base64 DER (standard or
// URL alphabet, padded or not). Only the first certificate is used. An
// empty value (or Apache's "(null)") is ErrNoCertificate; anything else
// that is not a certificate wraps ErrBadCertificate.
func FromHeader(value string) (*x509.Certificate, error) {
	if len(value) > MaxHeaderSize {
		return nil, fmt.Errorf("%w: header value of %d bytes exceeds %d", ErrBadCertificate, len(value), MaxHeaderSize)
	}
	value = strings.TrimSpace(value)
	if value == "" || value == "(null)" {
		return nil, ErrNoCertificate
	}
	// Neither PEM nor base64 contains '%': one is URL-encoding. PathUnescape
	// rather than QueryUnescape keeps a literal '+' of base64 a '+'.
	if strings.Contains(value, "%") {
		u, err := url.PathUnescape(value)
		if err != nil {
			return nil, fmt.Errorf("%w: bad URL encoding", ErrBadCertificate)
		}
		// url.QueryEscape, unlike nginx, writes the markers' spaces as
		// '+'; base64 '+' signs were escaped, so only markers are affected.
		value = markerPlus.Replace(strings.TrimSpace(u))
	}
	der, err := derOf(value)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCertificate, err)
	}
	return cert, nil
}

// derOf returns the DER of the first certificate in a PEM or base64 value.
func derOf(value string) ([]byte, error) {
	body := value
	if strings.Contains(value, "-----BEGIN") {
		// The markers themselves contain spaces, so the block is cut out by
		// its markers rather than by lines: this reads newline-, space- and
		// tab-separated PEM alike.
		start := strings.Index(value, pemBegin)
		if start < 0 {
			return nil, fmt.Errorf("%w: PEM block is not a CERTIFICATE", ErrBadCertificate)
		}
		body = value[start+len(pemBegin):]
		end := strings.Index(body, pemEnd)
		if end < 0 {
			return nil, fmt.Errorf("%w: PEM block without END line", ErrBadCertificate)
		}
		body = body[:end]
	}
	raw, err := decodeBase64(stripSpace(body))
	if err != nil {
		return nil, fmt.Errorf("%w: neither PEM nor base64 DER", ErrBadCertificate)
	}
	// A DER value may carry the chain after the leaf: keep the first element.
	var first asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &first); err != nil {
		return nil, fmt.Errorf("%w: not DER: %w", ErrBadCertificate, err)
	}
	return first.FullBytes, nil
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func decodeBase64(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("empty")
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if !strings.HasSuffix(s, "=") {
		enc = enc.WithPadding(base64.NoPadding)
	}
	return enc.Strict().DecodeString(s)
}
