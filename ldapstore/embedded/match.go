package embedded

import (
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// The directory checks no schema, but it compares values as the schema
// Gatehouse ships says, so that it answers like OpenLDAP loaded with it:
//
//   - caseExact (byte for byte): userPassword, and every shipped attribute
//     whose EQUALITY rule is case-sensitive — identifiers, secrets, tokens,
//     JSON, algorithm names, URIs;
//   - caseIgnore: everything else (objectClass, names, mail, the standard
//     attributes of people and groups).
//
// Attribute options do not change the rule: oauthClientName;lang-de follows
// oauthClientName. DN values are always compared ignoring case (see dn.go).
var caseExactAttributes = shippedCaseExact()

func shippedCaseExact() map[string]bool {
	exact := map[string]bool{"userpassword": true}
	for _, set := range schema.Sets() {
		for _, at := range set.Attributes {
			switch at.Equality {
			case "caseExactMatch", "caseExactIA5Match", "octetStringMatch":
				for _, name := range at.Names {
					exact[strings.ToLower(name)] = true
				}
			}
		}
	}
	return exact
}

// caseExact reports whether values of the attribute with this base name
// (already lower-cased) are compared byte for byte.
func caseExact(base string) bool {
	return caseExactAttributes[base]
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
