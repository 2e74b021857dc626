package embedded

import (
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The directory has no schema, so it cannot look up an attribute's EQUALITY
// rule. A naming rule stands in for it, chosen to agree with the schemas
// Gatehouse ships for the attributes it relies on:
//
//   - caseExact (byte for byte): userPassword, and every attribute whose
//     name, ignoring case, ends in "URI", "Secret", "Token", "Data" or
//     "JWKSet" — redirect URIs, client secrets, access and refresh tokens,
//     JSON blobs and key sets, where case carries meaning;
//   - caseIgnore: everything else (objectClass, names, mail, identifiers).
//
// Attribute options do not change the rule: oauthClientName;lang-de follows
// oauthClientName. DN values are always compared ignoring case (see dn.go).
var caseExactSuffixes = []string{"uri", "secret", "token", "data", "jwkset"}

// caseExact reports whether values of the attribute with this base name
// (already lower-cased) are compared byte for byte.
func caseExact(base string) bool {
	if base == "userpassword" {
		return true
	}
	for _, s := range caseExactSuffixes {
		if strings.HasSuffix(base, s) {
			return true
		}
	}
	return false
}

// normValue returns the form of v that equality matching compares for an
// attribute with the given lower-case base name.
func normValue(base, v string) string {
	if caseExact(base) {
		return v
	}
	return fold(v)
}

// fold maps s to a canonical case so that fold(a) == fold(b) exactly when
// strings.EqualFold(a, b): each rune becomes the smallest rune of its
// Unicode simple-folding orbit.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
			continue
		}
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	smallest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < smallest {
			smallest = f
		}
	}
	return smallest
}

// compareOrdered orders two normalised values for >= and <= filters.
// Without a schema there is no ordering rule to consult; integers compare as
// numbers (so "10" > "9", as integerOrderingMatch would have it) and all
// other values as strings, which also orders GeneralizedTime values of the
// same form correctly.
func compareOrdered(a, b string) int {
	x, okA := new(big.Int).SetString(a, 10)
	y, okB := new(big.Int).SetString(b, 10)
	if okA && okB {
		return x.Cmp(y)
	}
	return strings.Compare(a, b)
}
