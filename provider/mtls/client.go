package mtls

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// ErrSubjectField reports a tls_client_auth client that registered no
// subject field, or more than one (RFC 8705 §2.1.2: exactly one).
var ErrSubjectField = errors.New("mtls: tls_client_auth needs exactly one registered subject field")

// MatchClient reports whether cert matches the one subject field the
// tls_client_auth client registered: tls_client_auth_subject_dn or one of
// tls_client_auth_san_dns, _san_uri, _san_ip, _san_email. A client with
// none or several of them is ErrSubjectField; a registered DN that cannot
// be parsed is ErrBadDN. An error is never a match.
func MatchClient(c oauth.Client, cert *x509.Certificate) (bool, error) {
	if cert == nil {
		return false, ErrNoCertificate
	}
	m := c.Metadata
	fields := []struct {
		name, kind, value string
	}{
		{"tls_client_auth_subject_dn", "", m.TLSClientAuthSubjectDN},
		{"tls_client_auth_san_dns", SANDNS, m.TLSClientAuthSANDNS},
		{"tls_client_auth_san_uri", SANURI, m.TLSClientAuthSANURI},
		{"tls_client_auth_san_ip", SANIP, m.TLSClientAuthSANIP},
		{"tls_client_auth_san_email", SANEmail, m.TLSClientAuthSANEmail},
	}
	var chosen []int
	for i, f := range fields {
		if f.value != "" {
			chosen = append(chosen, i)
		}
	}
	if len(chosen) != 1 {
		return false, fmt.Errorf("%w: client %q registered %d", ErrSubjectField, c.ID, len(chosen))
	}
	f := fields[chosen[0]]
	if f.kind == "" {
		return MatchSubjectDN(f.value, cert)
	}
	return MatchSAN(f.kind, f.value, cert), nil
}
