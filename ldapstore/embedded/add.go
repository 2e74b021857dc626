package embedded

import (
	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// add inserts a new entry built from an add request (RFC 4511 §4.7).
func (d *directory) add(target dn, groups []valueGroup, by string) error {
	if target.isRoot() {
		return fail(ldap.LDAPResultUnwillingToPerform, "the root DSE cannot be added")
	}
	for _, g := range groups {
		if err := checkClientWritable(parseDesc(g.name), true); err != nil {
			return err
		}
	}
	e, err := buildEntry(target, groups)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.writableLocked(); err != nil {
		return err
	}
	if _, ok := d.entries[target.key]; ok {
		return fail(ldap.LDAPResultEntryAlreadyExists, "entry already exists: %s", target.text)
	}
	if err := d.parentMissingLocked(target, false); err != nil {
		return err
	}
	stampCreated(e, d.now(), by)
	d.entries[target.key] = e
	return d.commitLocked(func() { delete(d.entries, target.key) })
}

// serveAdd handles an add request; only the admin may add.
func (h *handler) serveAdd(r *gldap.Request, who identity) error {
	m, err := r.GetAddMessage()
	if err != nil {
		return fail(ldap.LDAPResultProtocolError, "not an add request")
	}
	if err := checkControls(m.Controls); err != nil {
		return err
	}
	if !who.admin {
		return fail(ldap.LDAPResultInsufficientAccessRights, "only the directory admin may add entries")
	}
	target, err := parseDN(m.DN)
	if err != nil {
		return err
	}
	groups := make([]valueGroup, 0, len(m.Attributes))
	for _, a := range m.Attributes {
		groups = append(groups, valueGroup{name: a.Type, values: a.Vals})
	}
	return h.dir.add(target, groups, who.dn)
}
