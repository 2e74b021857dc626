package mtls

import (
	"encoding/asn1"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf16"
)

// valueKey returns the compare key of a BER attribute value: a string type
// is compared as its prepared string (the registered form of a string
// value carries no type), anything else byte for byte.
func valueKey(v asn1.RawValue) string {
	if s, ok := decodeString(v); ok {
		return stringKey(s)
	}
	return "#" + string(v.FullBytes)
}

// stringKey is the compare key of a string value.
func stringKey(s string) string { return "s" + prepareCaseIgnore(s) }

// decodeString decodes the ASN.1 string types that directory strings and
// the other string attributes of certificates use.
func decodeString(v asn1.RawValue) (string, bool) {
	if v.Class != asn1.ClassUniversal || v.IsCompound {
		return "", false
	}
	b := v.Bytes
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String,
		asn1.TagNumericString, 26 /* VisibleString */ :
		return string(b), true
	case asn1.TagT61String:
		// TeletexString: read as ISO 8859-1, as most software does.
		r := make([]rune, len(b))
		for i, c := range b {
			r[i] = rune(c)
		}
		return string(r), true
	case asn1.TagBMPString:
		if len(b)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.BigEndian.Uint16(b[2*i:])
		}
		return string(utf16.Decode(u)), true
	case 28: // UniversalString, UTF-32BE
		if len(b)%4 != 0 {
			return "", false
		}
		r := make([]rune, len(b)/4)
		for i := range r {
			r[i] = rune(binary.BigEndian.Uint32(b[4*i:]))
		}
		return string(r), true
	}
	return "", false
}

// prepareCaseIgnore applies the string preparation of caseIgnoreMatch
// (RFC 4518 §2) short of Unicode normalisation: characters of §2.2 mapped
// to nothing or to SPACE, case folded, and insignificant spaces removed
// (§2.6.1: none leading or trailing, inner runs compare as one).
func prepareCaseIgnore(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case mapsToNothing(r):
			continue
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(unicode.ToUpper(r)))
	}
	return b.String()
}

// mapsToNothing: RFC 4518 §2.2 — soft hyphen, the joiners and variation
// selectors, other control and format characters.
func mapsToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x1806, r == 0x034F, r >= 0x180B && r <= 0x180D,
		r >= 0xFE00 && r <= 0xFE0F, r == 0xFFFC, r == 0x200B:
		return true
	case r == '\t', r == '\n', r == '\v', r == '\f', r == '\r', r == 0x85:
		return false // mapped to SPACE
	}
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r)
}
