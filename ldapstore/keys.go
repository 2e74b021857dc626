package ldapstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

// Names of the key set's entry (schema/defs_gatehouse.go).
const (
	attrKeySet         = "gatehouseKeySet"
	classKeyStore      = "gatehouseKeyStore"
	classKeyStoreEntry = "applicationProcess"
)

// KeySet keeps the provider's sealed JWK set in one entry, so that every
// instance signs and publishes the same keys. The entry is an
// applicationProcess (a standard class whose only need is a cn) with the
// auxiliary gatehouseKeyStore; the value is opaque text that only holders
// of the key-encryption key can open (keyset.Seal).
type KeySet struct {
	pool *Pool
	dn   string
}

var _ keyset.Blobs = (*KeySet)(nil)

// NewKeySet keeps the key set in the entry dn, whose RDN must be a cn.
func NewKeySet(pool *Pool, dn string) (*KeySet, error) {
	parsed, err := ldap.ParseDN(dn)
	if err != nil || len(parsed.RDNs) < 2 || len(parsed.RDNs[0].Attributes) != 1 ||
		!strings.EqualFold(parsed.RDNs[0].Attributes[0].Type, "cn") {
		return nil, fmt.Errorf("key set entry %q: want a DN of the form cn=NAME,PARENT", dn)
	}
	return &KeySet{pool: pool, dn: dn}, nil
}

// ReadKeySet implements keyset.Blobs.
func (s *KeySet) ReadKeySet(ctx context.Context) (string, error) {
	req := ldap.NewSearchRequest(s.dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", []string{attrKeySet}, nil)
	var values []string
	err := s.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.Search(req)
		if err == nil && len(res.Entries) == 1 {
			values = res.Entries[0].GetEqualFoldAttributeValues(attrKeySet)
		}
		return err
	})
	if err := classify(err, opRead); err != nil {
		return "", fmt.Errorf("read key set %q: %w", s.dn, err)
	}
	if len(values) != 1 {
		return "", fmt.Errorf("key set %q: %w", s.dn, ErrNotFound)
	}
	return values[0], nil
}

// WriteKeySet implements keyset.Blobs. A replacement is one Modify that
// deletes the old value and adds the new one: the directory applies it
// whole or not at all (RFC 4511 §4.6), and the delete fails with
// noSuchAttribute when the value is no longer old, so of two hosts
// rotating at once one gets ErrConflict and tries again on the other's
// set. A creation is an Add, which fails for the second host alike.
func (s *KeySet) WriteKeySet(ctx context.Context, old, next string) error {
	if old == "" {
		return s.create(ctx, next)
	}
	req := ldap.NewModifyRequest(s.dn, nil)
	req.Delete(attrKeySet, []string{old})
	req.Add(attrKeySet, []string{next})
	err := s.pool.DoOp(ctx, OpModify, func(conn *ldap.Conn) error { return conn.Modify(req) })
	if err := classify(err, opSwap); err != nil {
		return fmt.Errorf("write key set %q: %w", s.dn, err)
	}
	return nil
}

func (s *KeySet) create(ctx context.Context, value string) error {
	parsed, _ := ldap.ParseDN(s.dn) // checked by NewKeySet
	req := ldap.NewAddRequest(s.dn, nil)
	req.Attribute("objectClass", []string{"top", classKeyStoreEntry, classKeyStore})
	req.Attribute("cn", []string{parsed.RDNs[0].Attributes[0].Value})
	req.Attribute(attrKeySet, []string{value})
	err := s.pool.DoOp(ctx, OpAdd, func(conn *ldap.Conn) error { return conn.Add(req) })
	if err := classify(err, opAdd); err != nil {
		return fmt.Errorf("create key set %q: %w", s.dn, err)
	}
	return nil
}
