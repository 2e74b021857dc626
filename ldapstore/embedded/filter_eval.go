package embedded

import (
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

type andNode []filterNode

func (n andNode) eval(e *entry, hidden func(attrDesc) bool) tri {
	out := isTrue
	for _, c := range n {
		switch c.eval(e, hidden) {
		case isFalse:
			return isFalse
		case isUndefined:
			out = isUndefined
		}
	}
	return out
}

type orNode []filterNode

func (n orNode) eval(e *entry, hidden func(attrDesc) bool) tri {
	out := isFalse
	for _, c := range n {
		switch c.eval(e, hidden) {
		case isTrue:
			return isTrue
		case isUndefined:
			out = isUndefined
		}
	}
	return out
}

type notNode struct{ inner filterNode }

func (n notNode) eval(e *entry, hidden func(attrDesc) bool) tri {
	switch n.inner.eval(e, hidden) {
	case isTrue:
		return isFalse
	case isFalse:
		return isTrue
	}
	return isUndefined
}

// anyValue applies match to every value the assertion on d covers. An
// attribute the caller may not see is Undefined rather than FALSE, so that
// (!(userPassword=x)) cannot be used to probe hidden values.
func anyValue(e *entry, d attrDesc, hidden func(attrDesc) bool, match func(string) bool) tri {
	if hidden(d) {
		return isUndefined
	}
	for _, a := range e.attrs {
		if !d.covers(a.desc) {
			continue
		}
		for _, v := range a.values {
			if match(v) {
				return isTrue
			}
		}
	}
	return isFalse
}

type presentNode struct{ desc attrDesc }

func (n presentNode) eval(e *entry, hidden func(attrDesc) bool) tri {
	return anyValue(e, n.desc, hidden, func(string) bool { return true })
}

// compareNode is an equality, approximate (treated as equality), >= or <=
// assertion; value is already normalised.
type compareNode struct {
	desc  attrDesc
	op    ber.Tag
	value string
}

func (n compareNode) eval(e *entry, hidden func(attrDesc) bool) tri {
	return anyValue(e, n.desc, hidden, func(v string) bool {
		v = normValue(n.desc.base, v)
		switch n.op {
		case ldap.FilterGreaterOrEqual:
			return compareOrdered(v, n.value) >= 0
		case ldap.FilterLessOrEqual:
			return compareOrdered(v, n.value) <= 0
		}
		return v == n.value
	})
}

type substringNode struct {
	desc                 attrDesc
	initial, final       string
	hasInitial, hasFinal bool
	any                  []string
}

func (n substringNode) eval(e *entry, hidden func(attrDesc) bool) tri {
	return anyValue(e, n.desc, hidden, func(v string) bool {
		return n.matches(normValue(n.desc.base, v))
	})
}

// matches checks initial, then final, then each "any" part in order, each
// on what the previous parts left, so that no two parts overlap.
func (n substringNode) matches(v string) bool {
	if n.hasInitial {
		if !strings.HasPrefix(v, n.initial) {
			return false
		}
		v = v[len(n.initial):]
	}
	if n.hasFinal {
		if !strings.HasSuffix(v, n.final) {
			return false
		}
		v = v[:len(v)-len(n.final)]
	}
	for _, part := range n.any {
		i := strings.Index(v, part)
		if i < 0 {
			return false
		}
		v = v[i+len(part):]
	}
	return true
}

// extensibleNode supports the forms a schema-less directory can honour:
// an attribute with no rule (its own equality rule), caseExactMatch or
// caseIgnoreMatch, optionally also against the entry's DN (":dn").
// Anything else is Undefined, as RFC 4511 prescribes for unknown rules.
type extensibleNode struct {
	desc         attrDesc
	rule         string
	value        string
	dnAttributes bool
}

func (n extensibleNode) eval(e *entry, hidden func(attrDesc) bool) tri {
	norm, ok := n.normaliser()
	if !ok || n.desc.base == "" {
		return isUndefined
	}
	want := norm(n.value)
	if n.dnAttributes && n.inDN(e, norm, want) {
		return isTrue
	}
	return anyValue(e, n.desc, hidden, func(v string) bool { return norm(v) == want })
}

func (n extensibleNode) normaliser() (func(string) string, bool) {
	switch strings.ToLower(n.rule) {
	case "":
		return func(v string) string { return normValue(n.desc.base, v) }, true
	case "caseexactmatch", "2.5.13.5":
		return func(v string) string { return v }, true
	case "caseignorematch", "2.5.13.2":
		return fold, true
	}
	return nil, false
}

func (n extensibleNode) inDN(e *entry, norm func(string) string, want string) bool {
	for _, rdn := range e.dn.rdns {
		for _, ava := range rdn.Attributes {
			if n.desc.covers(parseDesc(ava.Type)) && norm(ava.Value) == want {
				return true
			}
		}
	}
	return false
}
