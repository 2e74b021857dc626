package cluster

import (
	"fmt"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/internal/load/rig"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

const (
	clientsDN = "ou=clients,dc=example,dc=org"
	authzDN   = "ou=authorizations,dc=example,dc=org"
)

// losses are confirmed writes missing from the surviving provider.
type losses struct {
	Registrations, Consents []string
	Checked                 struct{ Registrations, Consents int }
}

// verify reads every registration and every consent the server confirmed
// during the run from s, the provider that survived.
func verify(s *ldaptest.Slapd, rec *recorder, clientID string) (losses, error) {
	var l losses
	conn, err := s.Dial()
	if err != nil {
		return l, err
	}
	defer func() { _ = conn.Close() }() // reads only
	clients, err := values(conn, clientsDN, "(objectClass=oauthClientIdentity)", "oauthClientID")
	if err != nil {
		return l, err
	}
	subjects, err := values(conn, authzDN, "(authzClientID="+ldap.EscapeFilter(clientID)+")", "authzSubject")
	if err != nil {
		return l, err
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, id := range rec.registered {
		if !clients[id] {
			l.Registrations = append(l.Registrations, id)
		}
	}
	for _, u := range rec.consented {
		if !subjects[rig.UserUUID(u.Name)] {
			l.Consents = append(l.Consents, u.Name)
		}
	}
	l.Checked.Registrations, l.Checked.Consents = len(rec.registered), len(rec.consented)
	return l, nil
}

// values collects attr of every entry under base that filter matches.
func values(conn *ldap.Conn, base, filter, attr string) (map[string]bool, error) {
	res, err := conn.SearchWithPaging(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, filter, []string{attr}, nil), 500)
	if err != nil {
		return nil, fmt.Errorf("cluster: search %s: %w", base, err)
	}
	out := map[string]bool{}
	for _, e := range res.Entries {
		for _, v := range e.GetAttributeValues(attr) {
			out[v] = true
		}
	}
	return out, nil
}
