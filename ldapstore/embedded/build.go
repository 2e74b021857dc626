package embedded

import (
	"slices"

	"github.com/go-ldap/ldap/v3"
)

// valueGroup is one attribute as an add request or an LDIF record gives it.
type valueGroup struct {
	name   string
	values []string
}

// buildEntry assembles an entry from attribute groups and checks what every
// entry must satisfy, whether it arrives in an add request or from a file.
func buildEntry(target dn, groups []valueGroup) (*entry, error) {
	e := &entry{dn: target}
	for _, g := range groups {
		a, err := buildAttribute(g)
		if err != nil {
			return nil, err
		}
		if e.index(a.desc) >= 0 {
			return nil, fail(ldap.LDAPResultProtocolError, "attribute %s given more than once", g.name)
		}
		e.attrs = append(e.attrs, a)
	}
	if err := e.checkShape(ldap.LDAPResultNamingViolation); err != nil {
		return nil, err
	}
	return e, nil
}

func buildAttribute(g valueGroup) (attribute, error) {
	if err := checkDesc(g.name); err != nil {
		return attribute{}, err
	}
	d := parseDesc(g.name)
	if len(g.values) == 0 {
		return attribute{}, fail(ldap.LDAPResultProtocolError, "attribute %s has no values", g.name)
	}
	if v, dup := duplicateValue(d.base, g.values); dup {
		return attribute{}, fail(ldap.LDAPResultAttributeOrValueExists, "%s: value %q given more than once", g.name, v)
	}
	if d.base == "entryuuid" {
		if err := checkEntryUUID(g.values); err != nil {
			return attribute{}, err
		}
	}
	return attribute{name: g.name, desc: d, values: slices.Clone(g.values)}, nil
}
