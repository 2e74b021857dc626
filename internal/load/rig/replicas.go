package rig

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/load/scenarios"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// mdbDN is the cn=config entry of ldaptest's database, whose olcRootPW is
// the admin password.
const mdbDN = "olcDatabase={1}mdb,cn=config"

// StartReplicas starts n private slapd servers loaded from one users
// LDIF, for a Gatehouse whose ldap.urls lists them all (failover). They
// are replicas only as far as what was loaded goes: the same people,
// entryUUIDs and passwords, and the same admin password (the first
// server's), so that one bind DN and password reach any of them. Writes
// are not replicated; CopyChildren copies what a test needs on every
// server (client registrations). The caller closes every server; on an
// error none is left running.
func StartReplicas(ctx context.Context, dir string, users []scenarios.User, n int) (_ []*ldaptest.Slapd, err error) {
	if n < 1 {
		return nil, fmt.Errorf("rig: %d directories: want at least 1", n)
	}
	path, err := writeUsers(dir, users)
	if err != nil {
		return nil, err
	}
	var servers []*ldaptest.Slapd
	defer func() {
		if err != nil {
			for _, s := range servers {
				err = errors.Join(err, s.Close())
			}
		}
	}()
	for range n {
		s, err := ldaptest.StartSlapd(ctx, ldaptest.Options{LDIF: []string{path}})
		if err != nil {
			return nil, err
		}
		servers = append(servers, s)
	}
	for _, s := range servers[1:] {
		if err := SetAdminPassword(s, servers[0].AdminPassword); err != nil {
			return nil, err
		}
	}
	return servers, nil
}

// SetAdminPassword changes s's admin password (olcRootPW, kept across a
// Stop and Start) and s.AdminPassword with it.
func SetAdminPassword(s *ldaptest.Slapd, password string) error {
	conn, err := s.DialConfig()
	if err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	defer func() { _ = conn.Close() }() // a finished admin session
	req := ldap.NewModifyRequest(mdbDN, nil)
	req.Replace("olcRootPW", []string{password})
	if err := conn.Modify(req); err != nil {
		return fmt.Errorf("rig: set the admin password of %s: %w", s.URL, err)
	}
	s.AdminPassword = password
	return nil
}

// CopyChildren adds to `to` the entries directly below baseDN that from
// has and to lacks, with their user attributes, and returns how many it
// added. The chaos suite registers its client through a Gatehouse on one
// directory and copies it to the others.
func CopyChildren(from, to *ldaptest.Slapd, baseDN string) (int, error) {
	src, err := from.Dial()
	if err != nil {
		return 0, fmt.Errorf("rig: %w", err)
	}
	defer func() { _ = src.Close() }() // read-only session
	res, err := src.Search(ldap.NewSearchRequest(baseDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", []string{"*"}, nil))
	if err != nil {
		return 0, fmt.Errorf("rig: read %s from %s: %w", baseDN, from.URL, err)
	}
	dst, err := to.Dial()
	if err != nil {
		return 0, fmt.Errorf("rig: %w", err)
	}
	defer func() { _ = dst.Close() }() // every add below is checked
	added := 0
	for _, e := range res.Entries {
		req := ldap.NewAddRequest(e.DN, nil)
		for _, a := range e.Attributes {
			req.Attribute(a.Name, a.Values)
		}
		switch err := dst.Add(req); {
		case ldap.IsErrorWithCode(err, ldap.LDAPResultEntryAlreadyExists):
		case err != nil:
			return added, fmt.Errorf("rig: copy %s to %s: %w", e.DN, to.URL, err)
		default:
			added++
		}
	}
	return added, nil
}
