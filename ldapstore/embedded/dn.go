package embedded

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// keySep joins normalised RDNs in an entry key. It cannot occur inside an
// RDN key (escapeKey hides every control byte), and as the smallest byte it
// sorts a parent directly before its children.
const keySep = "\x00"

// dn is a distinguished name kept in two forms: text, as the client spelled
// it, for output; and key, for comparison. Keys follow distinguishedNameMatch
// (RFC 4517 §4.2.15) with every value compared ignoring case: attribute types
// and values are folded, the AVAs of a multi-valued RDN are sorted, and
// escapes are decoded, so `cn=A\2Cb`, `CN=a\,B` and `cn = a\,b` share a key.
//
// The key lists RDNs from the root down, so an entry's key starts with its
// parent's key and sorting keys yields parents before children.
type dn struct {
	text string
	rdns []*ldap.RelativeDN // leaf first, values unescaped
	keys []string           // normalised RDNs, leaf first
	key  string
}

// parseDN parses s, answering invalidDNSyntax when it is not a DN.
func parseDN(s string) (dn, error) {
	parsed, err := ldap.ParseDN(s)
	if err != nil {
		return dn{}, fail(ldap.LDAPResultInvalidDNSyntax, "invalid DN %q: %v", s, err)
	}
	d := dn{text: s, rdns: parsed.RDNs}
	for _, r := range parsed.RDNs {
		if err := checkRDN(r); err != nil {
			return dn{}, fail(ldap.LDAPResultInvalidDNSyntax, "invalid DN %q: %v", s, err)
		}
		d.keys = append(d.keys, rdnKey(r))
	}
	d.key = joinKeys(d.keys)
	return d, nil
}

func checkRDN(r *ldap.RelativeDN) error {
	if len(r.Attributes) == 0 {
		return fmt.Errorf("empty RDN")
	}
	for _, ava := range r.Attributes {
		if !isKeystring(ava.Type) && !isNumericOID(ava.Type) {
			return fmt.Errorf("invalid attribute type %q", ava.Type)
		}
	}
	return nil
}

// isRoot reports whether d is the empty DN, the name of the root DSE.
func (d dn) isRoot() bool { return len(d.keys) == 0 }

// parentKey is the key of the entry directly above d.
func (d dn) parentKey() string {
	if d.isRoot() {
		return ""
	}
	return joinKeys(d.keys[1:])
}

// ancestorKeys lists the keys of d's ancestors, nearest first, excluding
// the root.
func (d dn) ancestorKeys() []string {
	var out []string
	for i := 1; i < len(d.keys); i++ {
		out = append(out, joinKeys(d.keys[i:]))
	}
	return out
}

// joinKeys builds an entry key from normalised RDNs given leaf first.
func joinKeys(leafFirst []string) string {
	rootFirst := slices.Clone(leafFirst)
	slices.Reverse(rootFirst)
	return strings.Join(rootFirst, keySep)
}

// rdnKey normalises one RDN: folded type, folded value, AVAs sorted.
func rdnKey(r *ldap.RelativeDN) string {
	avas := make([]string, 0, len(r.Attributes))
	for _, a := range r.Attributes {
		avas = append(avas, strings.ToLower(a.Type)+"="+escapeKey(fold(a.Value)))
	}
	slices.Sort(avas)
	return strings.Join(avas, "+")
}

// escapeKey hides the bytes that structure a key ("+", "=", "\" and all
// control bytes, keySep among them) so that distinct RDNs never share one.
func escapeKey(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c == '+' || c == '=' || c == '\\' {
			fmt.Fprintf(&b, "\\%02x", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// inSubtree reports whether key names base itself or an entry below it.
func inSubtree(key, base string) bool {
	if base == "" {
		return true
	}
	return key == base || strings.HasPrefix(key, base+keySep)
}

// parentOf returns the key of the parent of the entry with this key.
func parentOf(key string) string {
	i := strings.LastIndex(key, keySep)
	if i < 0 {
		return ""
	}
	return key[:i]
}
