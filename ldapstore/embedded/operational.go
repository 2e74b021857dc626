package embedded

import (
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/uuid"
)

// Operational attributes the directory maintains itself (RFC 4512 §3.4,
// RFC 4530). They are returned only when asked for by name or with "+", and
// clients may not write them — except entryUUID when adding an entry, so
// that an entry can be copied from another directory keeping its identity.
const (
	attrEntryUUID       = "entryUUID"
	attrCreateTimestamp = "createTimestamp"
	attrModifyTimestamp = "modifyTimestamp"
	attrCreatorsName    = "creatorsName"
	attrModifiersName   = "modifiersName"
)

var operational = map[string]bool{
	"entryuuid":       true,
	"createtimestamp": true,
	"modifytimestamp": true,
	"creatorsname":    true,
	"modifiersname":   true,
}

// isOperational reports whether the lower-case base name is one of the
// operational attributes above.
func isOperational(base string) bool { return operational[base] }

// generalizedTime formats t the way OpenLDAP stamps entries.
func generalizedTime(t time.Time) string {
	return t.UTC().Format("20060102150405Z")
}

// stampCreated gives a new entry its operational attributes, keeping any
// that it already has (an entryUUID from the client, or everything when an
// entry is read back from the data file).
func stampCreated(e *entry, now time.Time, by string) {
	if len(e.get(attrDesc{base: "entryuuid"})) == 0 {
		e.set(attrEntryUUID, uuid.NewString())
	}
	if len(e.get(attrDesc{base: "createtimestamp"})) == 0 {
		e.set(attrCreateTimestamp, generalizedTime(now))
		e.set(attrModifyTimestamp, generalizedTime(now))
		if by != "" {
			e.set(attrCreatorsName, by)
			e.set(attrModifiersName, by)
		}
	}
}

// stampModified records who changed an entry and when.
func stampModified(e *entry, now time.Time, by string) {
	e.set(attrModifyTimestamp, generalizedTime(now))
	e.set(attrModifiersName, by)
}

// checkClientWritable refuses client writes of operational attributes,
// answering as OpenLDAP does for NO-USER-MODIFICATION attributes.
func checkClientWritable(d attrDesc, adding bool) error {
	if !isOperational(d.base) || adding && d.base == "entryuuid" {
		return nil
	}
	return fail(ldap.LDAPResultConstraintViolation, "%s: no user modification allowed", d.base)
}

// checkEntryUUID rejects an entryUUID value that is not a UUID.
func checkEntryUUID(values []string) error {
	if len(values) != 1 {
		return fail(ldap.LDAPResultConstraintViolation, "entryUUID takes exactly one value")
	}
	if _, err := uuid.Parse(values[0]); err != nil {
		return fail(ldap.LDAPResultInvalidAttributeSyntax, "entryUUID %q is not a UUID", values[0])
	}
	return nil
}
