package embedded

import (
	"math/big"
	"slices"
	"strings"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// change is one modification of a modify request.
type change struct {
	op     int64
	name   string
	desc   attrDesc
	values []string
}

// modify applies a list of changes to one entry, all or nothing
// (RFC 4511 §4.6). Callers rely on that for compare-and-swap: "delete the
// old version value, add the new one" fails with noSuchAttribute, and
// changes nothing, if another client changed the version first.
func (d *directory) modify(target dn, changes []change, by string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.writableLocked(); err != nil {
		return err
	}
	old, ok := d.entries[target.key]
	if !ok {
		return d.missingLocked(target)
	}
	if len(changes) == 0 {
		return nil
	}
	e := old.clone()
	for _, c := range changes {
		if err := applyChange(e, c); err != nil {
			return err
		}
	}
	if err := e.checkShape(ldap.LDAPResultNotAllowedOnRDN); err != nil {
		return err
	}
	stampModified(e, d.now(), by)
	d.entries[target.key] = e
	return d.commitLocked(func() { d.entries[target.key] = old })
}

func applyChange(e *entry, c change) error {
	switch c.op {
	case gldap.AddAttribute:
		return addValues(e, c)
	case gldap.DeleteAttribute:
		return deleteValues(e, c)
	case gldap.ReplaceAttribute:
		return replaceValues(e, c)
	case gldap.IncrementAttribute:
		return incrementValues(e, c)
	}
	return fail(ldap.LDAPResultProtocolError, "unknown modify operation %d", c.op)
}

// addValues adds values, creating the attribute if needed; a value that is
// already there is an error, not a no-op.
func addValues(e *entry, c change) error {
	if len(c.values) == 0 {
		return fail(ldap.LDAPResultProtocolError, "add %s: no values given", c.name)
	}
	if v, dup := duplicateValue(c.desc.base, c.values); dup {
		return fail(ldap.LDAPResultAttributeOrValueExists, "add %s: value %q given more than once", c.name, v)
	}
	i := e.index(c.desc)
	if i < 0 {
		e.attrs = append(e.attrs, attribute{name: c.name, desc: c.desc, values: slices.Clone(c.values)})
		return nil
	}
	for _, v := range c.values {
		if valueIndex(e.attrs[i], v) >= 0 {
			return fail(ldap.LDAPResultAttributeOrValueExists, "add %s: value %q already present", c.name, v)
		}
	}
	e.attrs[i].values = append(e.attrs[i].values, c.values...)
	return nil
}

// deleteValues removes the listed values, or the whole attribute when none
// are listed; anything missing is noSuchAttribute.
func deleteValues(e *entry, c change) error {
	i := e.index(c.desc)
	if i < 0 {
		return fail(ldap.LDAPResultNoSuchAttribute, "delete %s: no such attribute", c.name)
	}
	if len(c.values) == 0 {
		e.attrs = slices.Delete(e.attrs, i, i+1)
		return nil
	}
	a := &e.attrs[i]
	for _, v := range c.values {
		j := valueIndex(*a, v)
		if j < 0 {
			return fail(ldap.LDAPResultNoSuchAttribute, "delete %s: no such value %q", c.name, v)
		}
		a.values = slices.Delete(a.values, j, j+1)
	}
	if len(a.values) == 0 {
		e.attrs = slices.Delete(e.attrs, i, i+1)
	}
	return nil
}

// replaceValues sets the attribute to exactly the listed values; no values
// removes it, whether or not it was there.
func replaceValues(e *entry, c change) error {
	if v, dup := duplicateValue(c.desc.base, c.values); dup {
		return fail(ldap.LDAPResultAttributeOrValueExists, "replace %s: value %q given more than once", c.name, v)
	}
	i := e.index(c.desc)
	switch {
	case len(c.values) == 0 && i >= 0:
		e.attrs = slices.Delete(e.attrs, i, i+1)
	case len(c.values) > 0 && i >= 0:
		e.attrs[i].values = slices.Clone(c.values)
	case len(c.values) > 0:
		e.attrs = append(e.attrs, attribute{name: c.name, desc: c.desc, values: slices.Clone(c.values)})
	}
	return nil
}

// incrementValues adds a delta to every value of an integer attribute
// (RFC 4525).
func incrementValues(e *entry, c change) error {
	if len(c.values) != 1 {
		return fail(ldap.LDAPResultProtocolError, "increment %s: exactly one value required", c.name)
	}
	delta, ok := new(big.Int).SetString(c.values[0], 10)
	if !ok {
		return fail(ldap.LDAPResultInvalidAttributeSyntax, "increment %s: %q is not an integer", c.name, c.values[0])
	}
	i := e.index(c.desc)
	if i < 0 {
		return fail(ldap.LDAPResultNoSuchAttribute, "increment %s: no such attribute", c.name)
	}
	next := make([]string, len(e.attrs[i].values))
	for j, v := range e.attrs[i].values {
		n, ok := new(big.Int).SetString(v, 10)
		if !ok {
			return fail(ldap.LDAPResultConstraintViolation, "increment %s: value %q is not an integer", c.name, v)
		}
		next[j] = n.Add(n, delta).String()
	}
	e.attrs[i].values = next
	return nil
}

// serveModify handles a modify request; only the admin may modify.
func (h *handler) serveModify(r *gldap.Request, who identity) error {
	m, err := r.GetModifyMessage()
	if err != nil {
		return fail(ldap.LDAPResultProtocolError, "not a modify request")
	}
	if err := checkControls(m.Controls); err != nil {
		return err
	}
	if !who.admin {
		return fail(ldap.LDAPResultInsufficientAccessRights, "only the directory admin may modify entries")
	}
	target, err := parseDN(m.DN)
	if err != nil {
		return err
	}
	changes, err := readChanges(m.Changes)
	if err != nil {
		return err
	}
	return h.dir.modify(target, changes, who.dn)
}

func readChanges(in []gldap.Change) ([]change, error) {
	out := make([]change, 0, len(in))
	for _, c := range in {
		name := c.Modification.Type
		if err := checkDesc(name); err != nil {
			return nil, err
		}
		d := parseDesc(name)
		if err := checkClientWritable(d, false); err != nil {
			return nil, err
		}
		values, err := decodeModValues(c.Modification.Vals)
		if err != nil {
			return nil, err
		}
		out = append(out, change{op: c.Operation, name: name, desc: d, values: values})
	}
	return out, nil
}

// decodeModValues works around gldap v0.1.14, which hands over a
// modification's value SET undecoded: Vals holds a single string, the BER
// encoding of the set's members (octet strings one after another), and ""
// for an empty set. Add requests are decoded properly and need none of this.
func decodeModValues(raw []string) ([]string, error) {
	var out []string
	for _, set := range raw {
		r := strings.NewReader(set)
		for r.Len() > 0 {
			p, err := ber.ReadPacket(r)
			if err != nil || p.ClassType != ber.ClassUniversal || p.TagType != ber.TypePrimitive || p.Tag != ber.TagOctetString {
				return nil, fail(ldap.LDAPResultProtocolError, "malformed modification values")
			}
			out = append(out, p.Data.String())
		}
	}
	return out, nil
}
