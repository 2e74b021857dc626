package embedded

import (
	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// remove deletes a leaf entry (RFC 4511 §4.8).
func (d *directory) remove(target dn) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.writableLocked(); err != nil {
		return err
	}
	old, ok := d.entries[target.key]
	if !ok {
		return d.missingLocked(target)
	}
	if d.hasChildrenLocked(target.key) {
		return fail(ldap.LDAPResultNotAllowedOnNonLeaf, "entry has children: %s", target.text)
	}
	delete(d.entries, target.key)
	return d.commitLocked(func() { d.entries[target.key] = old })
}

// serveDelete handles a delete request; only the admin may delete.
func (h *handler) serveDelete(r *gldap.Request, who identity) error {
	m, err := r.GetDeleteMessage()
	if err != nil {
		return fail(ldap.LDAPResultProtocolError, "not a delete request")
	}
	if err := checkControls(m.Controls); err != nil {
		return err
	}
	if !who.admin {
		return fail(ldap.LDAPResultInsufficientAccessRights, "only the directory admin may delete entries")
	}
	target, err := parseDN(m.DN)
	if err != nil {
		return err
	}
	return h.dir.remove(target)
}
