package mtls

import (
	"crypto/x509"
	"encoding/asn1"
	"net/netip"
	"strings"
)

// Kinds of subject alternative name a client can register (RFC 8705 §2.1.2).
const (
	SANDNS   = "dns"   // tls_client_auth_san_dns
	SANURI   = "uri"   // tls_client_auth_san_uri
	SANIP    = "ip"    // tls_client_auth_san_ip
	SANEmail = "email" // tls_client_auth_san_email
)

// MatchSAN reports whether one of the certificate's subjectAltName entries
// of the given kind (SANDNS, SANURI, SANIP, SANEmail) equals the registered
// value. An unknown kind or an empty value matches nothing.
//
//   - dns: ASCII case-insensitive, a trailing dot ignored; a wildcard entry
//     matches only the same wildcard string.
//   - uri: the strings as they are (RFC 8705 §2.1.2 compares URIs as
//     strings), read from the extension itself rather than re-serialised.
//   - ip: by value: IPv4 equals its IPv4-mapped IPv6 form, and IPv6 forms
//     (compressed, expanded, upper or lower case) are equal.
//   - email: the local part exactly, the domain ASCII case-insensitive.
func MatchSAN(kind, registered string, cert *x509.Certificate) bool {
	if registered == "" || cert == nil {
		return false
	}
	switch kind {
	case SANDNS:
		return matchAny(cert.DNSNames, registered, dnsEqual)
	case SANURI:
		return matchAny(uriSANs(cert), registered, func(a, b string) bool { return a == b })
	case SANIP:
		return matchIP(registered, cert)
	case SANEmail:
		return matchAny(cert.EmailAddresses, registered, emailEqual)
	}
	return false
}

func matchAny(names []string, registered string, eq func(a, b string) bool) bool {
	for _, n := range names {
		if eq(n, registered) {
			return true
		}
	}
	return false
}

func dnsEqual(a, b string) bool {
	a, b = strings.TrimSuffix(a, "."), strings.TrimSuffix(b, ".")
	return a != "" && asciiEqualFold(a, b)
}

// emailEqual: RFC 5321 §2.4 leaves the local part's case to the mailbox's
// host, so it is compared exactly; domain names are case-insensitive.
func emailEqual(a, b string) bool {
	ia, ib := strings.LastIndexByte(a, '@'), strings.LastIndexByte(b, '@')
	if ia <= 0 || ib <= 0 {
		return false
	}
	return a[:ia] == b[:ib] && asciiEqualFold(a[ia+1:], b[ib+1:])
}

// asciiEqualFold folds ASCII letters only: SAN names are IA5 strings, and
// Unicode folding would let e.g. the Kelvin sign equal "k".
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func matchIP(registered string, cert *x509.Certificate) bool {
	want, err := netip.ParseAddr(registered)
	if err != nil || want.Zone() != "" {
		return false
	}
	want = want.Unmap()
	for _, ip := range cert.IPAddresses {
		got, ok := netip.AddrFromSlice(ip)
		if ok && got.Unmap() == want {
			return true
		}
	}
	return false
}

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// uriSANs returns the uniformResourceIdentifier entries ([6] IA5String,
// RFC 5280 §4.2.1.6) as the certificate holds them.
func uriSANs(cert *x509.Certificate) []string {
	var out []string
	for _, ext := range cert.Extensions {
		if !ext.Id.Equal(oidSubjectAltName) {
			continue
		}
		var names []asn1.RawValue
		if rest, err := asn1.Unmarshal(ext.Value, &names); err != nil || len(rest) > 0 {
			return nil
		}
		for _, n := range names {
			if n.Class == asn1.ClassContextSpecific && n.Tag == 6 && !n.IsCompound {
				out = append(out, string(n.Bytes))
			}
		}
	}
	return out
}
