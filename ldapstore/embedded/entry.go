package embedded

import (
	"slices"

	"github.com/go-ldap/ldap/v3"
)

// attribute is one attribute of an entry. name keeps the spelling the
// attribute was first given with, for output; desc is what comparisons use.
type attribute struct {
	name   string
	desc   attrDesc
	values []string
}

// entry is one directory entry. Entries in the tree are never changed in
// place: a modification works on a clone that replaces the original, so a
// search may keep reading entries after it has let go of the tree's lock.
type entry struct {
	dn    dn
	attrs []attribute
}

func (e *entry) clone() *entry {
	c := &entry{dn: e.dn, attrs: make([]attribute, len(e.attrs))}
	for i, a := range e.attrs {
		a.values = slices.Clone(a.values)
		c.attrs[i] = a
	}
	return c
}

// index returns the position of the attribute described exactly by d, or -1.
func (e *entry) index(d attrDesc) int {
	k := d.key()
	return slices.IndexFunc(e.attrs, func(a attribute) bool { return a.desc.key() == k })
}

// get returns the values of the attribute described exactly by d.
func (e *entry) get(d attrDesc) []string {
	if i := e.index(d); i >= 0 {
		return e.attrs[i].values
	}
	return nil
}

// set replaces the values of an attribute, adding it under name if absent;
// no values removes it.
func (e *entry) set(name string, values ...string) {
	d := parseDesc(name)
	i := e.index(d)
	switch {
	case i < 0 && len(values) > 0:
		e.attrs = append(e.attrs, attribute{name: name, desc: d, values: values})
	case i >= 0 && len(values) > 0:
		e.attrs[i].values = values
	case i >= 0:
		e.attrs = slices.Delete(e.attrs, i, i+1)
	}
}

// valueIndex returns the position of v among the attribute's values under
// the attribute's equality rule, or -1.
func valueIndex(a attribute, v string) int {
	want := normValue(a.desc.base, v)
	return slices.IndexFunc(a.values, func(have string) bool {
		return normValue(a.desc.base, have) == want
	})
}

// duplicateValue returns a value that occurs twice in values under the
// equality rule of base, if any.
func duplicateValue(base string, values []string) (string, bool) {
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		n := normValue(base, v)
		if seen[n] {
			return v, true
		}
		seen[n] = true
	}
	return "", false
}

// hasNamingValues reports whether the entry holds every value of its own
// RDN. RDN values match ignoring case, as DNs do.
func (e *entry) hasNamingValues() bool {
	if e.dn.isRoot() {
		return true
	}
	for _, ava := range e.dn.rdns[0].Attributes {
		if !e.holdsFolded(parseDesc(ava.Type), ava.Value) {
			return false
		}
	}
	return true
}

func (e *entry) holdsFolded(d attrDesc, v string) bool {
	want := fold(v)
	return slices.ContainsFunc(e.get(d), func(have string) bool { return fold(have) == want })
}

// checkShape enforces the few structural rules a schema-less directory can
// still check and OpenLDAP would enforce too: every entry has an
// objectClass, and it holds the values its RDN names.
func (e *entry) checkShape(namingCode uint16) error {
	if len(e.get(attrDesc{base: "objectclass"})) == 0 {
		return fail(ldap.LDAPResultObjectClassViolation, "entry %q has no objectClass", e.dn.text)
	}
	if !e.hasNamingValues() {
		return fail(namingCode, "entry %q must keep the values of its RDN", e.dn.text)
	}
	return nil
}
