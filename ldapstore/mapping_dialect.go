package ldapstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/go-ldap/ldap/v3"
)

// DirectoryKind says how the client and authorization stores write
// entries where directories differ. Reading accepts every form, so a
// store never fails on an entry for its kind.
type DirectoryKind string

const (
	// DirectoryAuto reads the kind from the root DSE on first use, once
	// per store: Active Directory says so in supportedCapabilities.
	DirectoryAuto DirectoryKind = ""
	// DirectoryLDAP is a directory of RFC 4512 (OpenLDAP, 389 DS, OpenDJ,
	// the embedded one): language tags as attribute options
	// (oauthClientName;lang-de), authorizations named by the multi-valued
	// RDN authzSubject=…+authzClientID=….
	DirectoryLDAP DirectoryKind = "ldap"
	// DirectoryAD is Active Directory or Samba AD, which has neither
	// attribute options nor multi-valued RDNs, and a single-valued mail:
	// language-tagged values and contacts go into oauthClientData as
	// client_name#de and contacts members, authorizations are named
	// cn=<digest of subject and client ID> (see authzCN), and an
	// auxiliary class is added to an entry apart from its attributes.
	DirectoryAD DirectoryKind = "activedirectory"
)

// ParseDirectoryKind reads a kind as configured: "auto" or "" (the
// default), "ldap", or "activedirectory".
func ParseDirectoryKind(s string) (DirectoryKind, error) {
	switch k := DirectoryKind(s); k {
	case "auto":
		return DirectoryAuto, nil
	case DirectoryAuto, DirectoryLDAP, DirectoryAD:
		return k, nil
	}
	return "", fmt.Errorf("directory kind %q is not auto, %s or %s", s, DirectoryLDAP, DirectoryAD)
}

// capActiveDirectory is LDAP_CAP_ACTIVE_DIRECTORY_OID ([MS-ADTS]
// 3.1.1.3.4.3), which every AD DC and Samba AD lists in the root DSE's
// supportedCapabilities.
const capActiveDirectory = "1.2.840.113556.1.4.800"

// dialect is what a store must know of its directory to write entries the
// directory accepts, one flag per difference.
type dialect struct {
	// tagsInData: no attribute options (RFC 4512 §2.5), so
	// language-tagged values live in oauthClientData.
	tagsInData bool
	// contactsInData: mail is single-valued (as in AD's own schema), so
	// the contacts, a list, live in oauthClientData.
	contactsInData bool
	// namedByCN: no multi-valued RDNs, so an authorization is named by a
	// cn derived from its key.
	namedByCN bool
	// auxClassApart: a Modify that adds an auxiliary class and one of its
	// attributes is refused (AD checks the attributes against the classes
	// the entry had), so the class is added in a Modify of its own.
	auxClassApart bool
}

func dialectOf(k DirectoryKind) dialect {
	if k == DirectoryAD {
		return dialect{tagsInData: true, contactsInData: true, namedByCN: true, auxClassApart: true}
	}
	return dialect{}
}

// inData tells whether an attribute a client encodes to goes into
// oauthClientData instead.
func (d dialect) inData(a attrValue) bool {
	return d.tagsInData && a.tag != "" || d.contactsInData && a.base == attrMail
}

// directoryKinds gives a store the dialect of its directory: the
// configured one, or the one the root DSE shows, read once and kept. A
// failed read is not kept: the next operation reads again.
type directoryKinds struct {
	pool     *Pool
	fixed    DirectoryKind
	detected atomic.Pointer[dialect]
}

func newDirectoryKinds(pool *Pool, k DirectoryKind) (*directoryKinds, error) {
	k, err := ParseDirectoryKind(string(k))
	if err != nil {
		return nil, err
	}
	return &directoryKinds{pool: pool, fixed: k}, nil
}

// dialect returns the directory's dialect, reading the root DSE the first
// time when the kind is DirectoryAuto. Two first calls at once may both
// read it; they find the same.
func (k *directoryKinds) dialect(ctx context.Context) (dialect, error) {
	if k.fixed != DirectoryAuto {
		return dialectOf(k.fixed), nil
	}
	if d := k.detected.Load(); d != nil {
		return *d, nil
	}
	kind, err := k.detect(ctx)
	if err != nil {
		return dialect{}, fmt.Errorf("read the kind of directory from its root DSE: %w", err)
	}
	d := dialectOf(kind)
	k.detected.Store(&d)
	return d, nil
}

func (k *directoryKinds) detect(ctx context.Context) (DirectoryKind, error) {
	req := ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"supportedCapabilities"}, nil)
	var caps []string
	err := k.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.Search(req)
		if err == nil && len(res.Entries) == 1 {
			caps = res.Entries[0].GetEqualFoldAttributeValues("supportedCapabilities")
		}
		return err
	})
	if err := classify(err, opRead); err != nil {
		return "", err
	}
	if slices.Contains(caps, capActiveDirectory) {
		return DirectoryAD, nil
	}
	return DirectoryLDAP, nil
}

// escapeRDNValue escapes a value for an RDN (RFC 4514 §2.4), as
// ldap.EscapeDN does, and also '=': RFC 4514 lets it stand unescaped in a
// value, but AD refuses it so (invalidDNSyntax), and "\=" is valid
// everywhere. Every RDN value a store builds goes through here, once.
func escapeRDNValue(v string) string {
	// EscapeDN never writes '=' itself, so each one here came from v.
	return strings.ReplaceAll(ldap.EscapeDN(v), "=", `\=`)
}
