package embedded

import "github.com/go-ldap/ldap/v3"

// rootDSE builds the root DSE (RFC 4512 §5.1), which clients read to find
// the naming contexts and to check that the server answers at all. Its
// attributes are operational by the RFC, but like Active Directory the
// directory also returns them for "*", so a plain ping sees them.
func (h *handler) rootDSE() *entry {
	e := &entry{}
	e.set("objectClass", "top")
	e.set("namingContexts", h.dir.namingContexts()...)
	e.set("supportedLDAPVersion", "3")
	e.set("supportedControl", ldap.ControlTypePaging)
	e.set("vendorName", "Gatehouse")
	return e
}
