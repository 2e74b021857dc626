package mtls

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrBadDN reports a registered subject that is not an RFC 4514 string.
var ErrBadDN = errors.New("mtls: malformed distinguished name")

// attributeNames maps the attribute type names a registered subject may
// use, lower-cased, to their OIDs: those of RFC 4519 and RFC 4514 §3, and
// those common in client certificates (PKCS #9 emailAddress, X.520
// organizationIdentifier of eIDAS and PSD2, the EV jurisdiction types).
var attributeNames = map[string]string{
	"cn":                              "2.5.4.3",
	"commonname":                      "2.5.4.3",
	"sn":                              "2.5.4.4",
	"surname":                         "2.5.4.4",
	"serialnumber":                    "2.5.4.5",
	"c":                               "2.5.4.6",
	"countryname":                     "2.5.4.6",
	"l":                               "2.5.4.7",
	"localityname":                    "2.5.4.7",
	"st":                              "2.5.4.8",
	"stateorprovincename":             "2.5.4.8",
	"street":                          "2.5.4.9",
	"streetaddress":                   "2.5.4.9",
	"o":                               "2.5.4.10",
	"organizationname":                "2.5.4.10",
	"ou":                              "2.5.4.11",
	"organizationalunitname":          "2.5.4.11",
	"title":                           "2.5.4.12",
	"businesscategory":                "2.5.4.15",
	"postalcode":                      "2.5.4.17",
	"givenname":                       "2.5.4.42",
	"initials":                        "2.5.4.43",
	"generationqualifier":             "2.5.4.44",
	"dnqualifier":                     "2.5.4.46",
	"pseudonym":                       "2.5.4.65",
	"organizationidentifier":          "2.5.4.97",
	"dc":                              "0.9.2342.19200300.100.1.25",
	"domaincomponent":                 "0.9.2342.19200300.100.1.25",
	"uid":                             "0.9.2342.19200300.100.1.1",
	"userid":                          "0.9.2342.19200300.100.1.1",
	"emailaddress":                    "1.2.840.113549.1.9.1",
	"email":                           "1.2.840.113549.1.9.1",
	"e":                               "1.2.840.113549.1.9.1",
	"jurisdictionlocalityname":        "1.3.6.1.4.1.311.60.2.1.1",
	"jurisdictionl":                   "1.3.6.1.4.1.311.60.2.1.1",
	"jurisdictionstateorprovincename": "1.3.6.1.4.1.311.60.2.1.2",
	"jurisdictionst":                  "1.3.6.1.4.1.311.60.2.1.2",
	"jurisdictioncountryname":         "1.3.6.1.4.1.311.60.2.1.3",
	"jurisdictionc":                   "1.3.6.1.4.1.311.60.2.1.3",
}

// attribute is one attribute type and value, reduced to what
// distinguishedNameMatch compares: the OID in dotted form and a key that
// is equal for equal values.
type attribute struct {
	oid string
	key string
}

// rdn is a relative distinguished name: a set of attributes, kept sorted
// by compare key so that sets compare as sorted slices.
type rdn []attribute

// dn is a distinguished name, most significant RDN first (the order of
// the certificate's RDNSequence).
type dn []rdn

// MatchSubjectDN reports whether the certificate's subject equals the
// registered RFC 4514 string by the rules of distinguishedNameMatch
// (RFC 4517 §4.2.15), as RFC 8705 §2.1.2 asks for
// tls_client_auth_subject_dn. An error means the registered string or the
// certificate's subject could not be read: no match.
func MatchSubjectDN(registered string, cert *x509.Certificate) (bool, error) {
	want, err := parseDN(registered)
	if err != nil {
		return false, err
	}
	if cert == nil {
		return false, ErrNoCertificate
	}
	got, err := certDN(cert.RawSubject)
	if err != nil {
		return false, err
	}
	return want.equal(got), nil
}

// ValidateSubjectDN reports whether registered is a distinguished name
// MatchSubjectDN can compare, for checking tls_client_auth_subject_dn at
// registration. Its error wraps ErrBadDN and says where the string is wrong.
func ValidateSubjectDN(registered string) error {
	_, err := parseDN(registered)
	return err
}

func (d dn) equal(o dn) bool {
	return slices.EqualFunc(d, o, func(a, b rdn) bool { return slices.Equal(a, b) })
}

func (r rdn) sorted() rdn {
	slices.SortFunc(r, func(a, b attribute) int {
		if c := strings.Compare(a.oid, b.oid); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return r
}

// certDN reads a DER RDNSequence. Values are kept raw, so that unknown
// attribute types and every string type survive.
func certDN(der []byte) (dn, error) {
	var seq []rawRDNSET
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return nil, fmt.Errorf("mtls: certificate subject: %w", err)
	}
	if len(rest) > 0 {
		return nil, errors.New("mtls: certificate subject: trailing data")
	}
	out := make(dn, 0, len(seq))
	for _, set := range seq {
		r := make(rdn, 0, len(set))
		for _, atv := range set {
			r = append(r, attribute{oid: atv.Type.String(), key: valueKey(atv.Value)})
		}
		out = append(out, r.sorted())
	}
	return out, nil
}

// rawRDNSET is a SET OF AttributeTypeAndValue: encoding/asn1 treats a
// slice type whose name ends in "SET" as a SET.
type rawRDNSET []rawAttribute

type rawAttribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// parseDN parses an RFC 4514 string. As RFC 4514 §4 lets a reader, it
// also accepts RFC 2253's ';' separator, spaces around separators, RFC
// 1779's "OID." prefix, and the characters '"', '<', '>' and '=' unescaped
// inside a value. '#'-hex values must be DER (as encoding/asn1 reads
// them), which is what every encoder writes. The result is most
// significant RDN first.
func parseDN(s string) (dn, error) {
	p := dnParser{s: s}
	var out dn
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%w: empty", ErrBadDN)
	}
	for {
		r, err := p.rdn()
		if err != nil {
			return nil, err
		}
		out = append(out, r.sorted())
		if p.done() {
			break
		}
		p.i++ // the ',' or ';' rdn stopped at
	}
	// RFC 4514 §2.1: the string starts with the last element of the
	// RDNSequence.
	slices.Reverse(out)
	return out, nil
}

type dnParser struct {
	s string
	i int
}

func (p *dnParser) done() bool { return p.i >= len(p.s) }

func (p *dnParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *dnParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: at offset %d: %s", ErrBadDN, p.i, fmt.Sprintf(format, args...))
}

// rdn reads attributeTypeAndValue *( "+" attributeTypeAndValue ) and stops
// at the end or at an RDN separator.
func (p *dnParser) rdn() (rdn, error) {
	var r rdn
	for {
		a, err := p.attribute()
		if err != nil {
			return nil, err
		}
		r = append(r, a)
		if p.done() || p.s[p.i] == ',' || p.s[p.i] == ';' {
			return r, nil
		}
		p.i++ // '+'
	}
}

func (p *dnParser) attribute() (attribute, error) {
	p.skipSpace()
	oid, err := p.attributeType()
	if err != nil {
		return attribute{}, err
	}
	p.skipSpace()
	if p.done() || p.s[p.i] != '=' {
		return attribute{}, p.errorf("'=' expected after attribute type")
	}
	p.i++
	p.skipSpace()
	var key string
	if !p.done() && p.s[p.i] == '#' {
		key, err = p.hexValue()
	} else {
		key, err = p.stringValue()
	}
	if err != nil {
		return attribute{}, err
	}
	return attribute{oid: oid, key: key}, nil
}

// attributeType reads descr or numericoid (RFC 4512 §1.4) and returns the
// dotted OID.
func (p *dnParser) attributeType() (string, error) {
	start := p.i
	for p.i < len(p.s) && isTypeChar(p.s[p.i]) {
		p.i++
	}
	name := p.s[start:p.i]
	if name == "" {
		return "", p.errorf("attribute type expected")
	}
	lower := strings.ToLower(name)
	// RFC 1779's "OID." prefix, still written by some tools.
	lower = strings.TrimPrefix(lower, "oid.")
	if lower != "" && isDigit(lower[0]) {
		if !isNumericOID(lower) {
			return "", p.errorf("bad numeric OID %q", name)
		}
		return lower, nil
	}
	oid, ok := attributeNames[lower]
	if !ok {
		return "", p.errorf("unknown attribute type %q (use its numeric OID)", name)
	}
	return oid, nil
}

func isTypeChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c) || c == '-' || c == '.'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isNumericOID checks number 1*( DOT number ), numbers without leading zeros.
func isNumericOID(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, n := range parts {
		if n == "" || len(n) > 1 && n[0] == '0' {
			return false
		}
		for i := 0; i < len(n); i++ {
			if !isDigit(n[i]) {
				return false
			}
		}
	}
	return true
}

// hexValue reads '#' hexstring: the BER encoding of the value (RFC 4514 §2.4).
func (p *dnParser) hexValue() (string, error) {
	p.i++ // '#'
	start := p.i
	for p.i < len(p.s) && isHex(p.s[p.i]) {
		p.i++
	}
	raw, err := hex.DecodeString(p.s[start:p.i])
	if err != nil || len(raw) == 0 {
		return "", p.errorf("bad hex value")
	}
	p.skipSpace()
	if !p.done() && !isSeparator(p.s[p.i]) {
		return "", p.errorf("unexpected %q after hex value", p.s[p.i])
	}
	var v asn1.RawValue
	rest, err := asn1.Unmarshal(raw, &v)
	if err != nil || len(rest) > 0 {
		return "", p.errorf("hex value is not one BER element")
	}
	return valueKey(v), nil
}

func isHex(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isSeparator(c byte) bool { return c == ',' || c == ';' || c == '+' }

// stringValue reads a string value with its escapes (RFC 4514 §2.4, §3):
// '\' and one of the special characters, or '\' and two hex digits for a
// byte of the UTF-8 encoding. It stops at an unescaped ',' ';' or '+'.
// Unescaped trailing spaces are not part of the value; for string values
// they would be insignificant anyway.
func (p *dnParser) stringValue() (string, error) {
	var b []byte
	significant := 0 // length of b up to the last escaped or non-space byte
	for !p.done() && !isSeparator(p.s[p.i]) {
		c := p.s[p.i]
		if c != '\\' {
			b = append(b, c)
			p.i++
			if c != ' ' {
				significant = len(b)
			}
			continue
		}
		p.i++
		switch {
		case p.i+1 < len(p.s) && isHex(p.s[p.i]) && isHex(p.s[p.i+1]):
			v, _ := strconv.ParseUint(p.s[p.i:p.i+2], 16, 8)
			b = append(b, byte(v))
			p.i += 2
		case !p.done() && strings.IndexByte(` "#+,;<=>\`, p.s[p.i]) >= 0:
			b = append(b, p.s[p.i])
			p.i++
		default:
			return "", p.errorf("bad escape")
		}
		significant = len(b)
	}
	b = b[:significant]
	if !utf8.Valid(b) {
		return "", p.errorf("value is not UTF-8")
	}
	return stringKey(string(b)), nil
}
