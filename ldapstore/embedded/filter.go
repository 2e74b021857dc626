package embedded

import (
	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
)

// tri is the three-valued result of a filter (RFC 4511 §4.5.1.7): an entry
// is returned only when its filter is TRUE.
type tri uint8

const (
	isFalse tri = iota
	isTrue
	isUndefined
)

// filterNode is one node of a compiled search filter.
type filterNode interface {
	eval(e *entry, hidden func(attrDesc) bool) tri
}

// compileFilter parses a filter in its RFC 4515 string form, as gldap hands
// it over, into nodes that know how to match entries. Assertion values are
// normalised here once, with the matching rule of their attribute.
func compileFilter(s string) (filterNode, error) {
	p, err := ldap.CompileFilter(s)
	if err != nil {
		return nil, fail(ldap.LDAPResultProtocolError, "invalid filter %q: %v", s, err)
	}
	return nodeOf(p)
}

func nodeOf(p *ber.Packet) (filterNode, error) {
	switch p.Tag {
	case ldap.FilterAnd, ldap.FilterOr:
		return setNodeOf(p)
	case ldap.FilterNot:
		if len(p.Children) != 1 {
			return nil, badFilter()
		}
		inner, err := nodeOf(p.Children[0])
		return notNode{inner}, err
	case ldap.FilterPresent:
		return presentNode{desc: parseDesc(p.Data.String())}, nil
	case ldap.FilterEqualityMatch, ldap.FilterApproxMatch, ldap.FilterGreaterOrEqual, ldap.FilterLessOrEqual:
		return compareNodeOf(p)
	case ldap.FilterSubstrings:
		return substringNodeOf(p)
	case ldap.FilterExtensibleMatch:
		return extensibleNodeOf(p), nil
	}
	return nil, badFilter()
}

func badFilter() error {
	return fail(ldap.LDAPResultProtocolError, "malformed filter")
}

func setNodeOf(p *ber.Packet) (filterNode, error) {
	nodes := make([]filterNode, 0, len(p.Children))
	for _, c := range p.Children {
		n, err := nodeOf(c)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if p.Tag == ldap.FilterAnd {
		return andNode(nodes), nil
	}
	return orNode(nodes), nil
}

func compareNodeOf(p *ber.Packet) (filterNode, error) {
	if len(p.Children) != 2 {
		return nil, badFilter()
	}
	d := parseDesc(p.Children[0].Data.String())
	value := normValue(d.base, p.Children[1].Data.String())
	return compareNode{desc: d, op: p.Tag, value: value}, nil
}

func substringNodeOf(p *ber.Packet) (filterNode, error) {
	if len(p.Children) != 2 {
		return nil, badFilter()
	}
	n := substringNode{desc: parseDesc(p.Children[0].Data.String())}
	for _, c := range p.Children[1].Children {
		v := normValue(n.desc.base, c.Data.String())
		switch c.Tag {
		case ldap.FilterSubstringsInitial:
			n.initial, n.hasInitial = v, true
		case ldap.FilterSubstringsAny:
			n.any = append(n.any, v)
		case ldap.FilterSubstringsFinal:
			n.final, n.hasFinal = v, true
		default:
			return nil, badFilter()
		}
	}
	return n, nil
}

func extensibleNodeOf(p *ber.Packet) filterNode {
	var n extensibleNode
	for _, c := range p.Children {
		switch c.Tag {
		case ldap.MatchingRuleAssertionMatchingRule:
			n.rule = c.Data.String()
		case ldap.MatchingRuleAssertionType:
			n.desc = parseDesc(c.Data.String())
		case ldap.MatchingRuleAssertionMatchValue:
			n.value = c.Data.String()
		case ldap.MatchingRuleAssertionDNAttributes:
			n.dnAttributes, _ = c.Value.(bool)
		}
	}
	return n
}
