package ldapstore

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Authenticators keeps people's second factors and passkeys as entries
// gatehouseAuthnID=<id>,<base DN> of the class gatehouseAuthenticator
// (Gatehouse's own schema), each holding the person's sub in
// gatehouseAuthnSubject. The person's own entry is never written: the
// service account may have no right to, and another system may own it.
//
// Every method reads the directory; nothing is cached. Errors wrap
// ErrNotFound, ErrAlreadyExists, ErrConflict, ErrMalformed and
// ErrUnavailable as the methods describe.
type Authenticators struct {
	pool   *Pool
	baseDN string
}

// ErrAuthenticatorKeyChanged is returned by Update when its function
// changes the ID, subject or kind, which name the entry.
var ErrAuthenticatorKeyChanged = errors.New("the ID, subject and kind of an authenticator cannot be changed")

// NewAuthenticators returns the store for entries directly below baseDN
// (ldap.authenticators.baseDN).
func NewAuthenticators(pool *Pool, baseDN string) (*Authenticators, error) {
	if pool == nil {
		return nil, errors.New("authenticators: no connection pool")
	}
	if err := checkBaseDN(baseDN); err != nil {
		return nil, fmt.Errorf("authenticators: base DN: %w", err)
	}
	return &Authenticators{pool: pool, baseDN: baseDN}, nil
}

func (s *Authenticators) dn(id string) string {
	return attrAuthnID + "=" + escapeRDNValue(id) + "," + s.baseDN
}

func validAuthnKey(subject, id string) bool {
	return subject != "" && id != "" && utf8.ValidString(subject) && utf8.ValidString(id)
}

// Get returns one authenticator of subject; none (or one of someone else)
// is ErrNotFound.
func (s *Authenticators) Get(ctx context.Context, subject, id string) (oauth.Authenticator, error) {
	a, _, err := s.read(ctx, subject, id)
	return a, err
}

// read fetches an entry with its version, checking that it is subject's.
func (s *Authenticators) read(ctx context.Context, subject, id string) (oauth.Authenticator, string, error) {
	if !validAuthnKey(subject, id) {
		return oauth.Authenticator{}, "", fmt.Errorf("authenticator %q of %q: %w", id, subject, ErrNotFound)
	}
	filter := "(&(" + attrAuthnID + "=" + ldap.EscapeFilter(id) + ")(" + attrAuthnSubject + "=" + ldap.EscapeFilter(subject) + "))"
	req := ldap.NewSearchRequest(s.dn(id), ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		filter, []string{"*"}, nil)
	var found *ldap.Entry
	err := s.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.Search(req)
		if err == nil && len(res.Entries) == 1 {
			found = res.Entries[0]
		}
		return err
	})
	if err := classify(err, opRead); err != nil {
		return oauth.Authenticator{}, "", fmt.Errorf("read authenticator %q of %q: %w", id, subject, err)
	}
	if found == nil || !holdsExactly(found, attrAuthnID, id) || !holdsExactly(found, attrAuthnSubject, subject) {
		return oauth.Authenticator{}, "", fmt.Errorf("authenticator %q of %q: %w", id, subject, ErrNotFound)
	}
	a, err := decodeAuthenticator(found)
	return a, found.GetAttributeValue(attrVersion), err
}

// List returns subject's authenticators, oldest first; none is an empty
// list. Entries that cannot be read are left out and reported in the
// error (ErrMalformed), the readable ones returned even then.
func (s *Authenticators) List(ctx context.Context, subject string) ([]oauth.Authenticator, error) {
	if subject == "" || !utf8.ValidString(subject) {
		return nil, nil
	}
	entries, err := s.search(ctx, "("+attrAuthnSubject+"="+ldap.EscapeFilter(subject)+")")
	if err != nil {
		return nil, fmt.Errorf("list authenticators of %q: %w", subject, err)
	}
	var list []oauth.Authenticator
	var bad []error
	for _, e := range entries {
		if !holdsExactly(e, attrAuthnSubject, subject) {
			continue // equal only under the matching rule
		}
		a, err := decodeAuthenticator(e)
		if err != nil {
			bad = append(bad, err)
			continue
		}
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b oauth.Authenticator) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return list, errors.Join(bad...)
}

// FindCredential returns the passkey with this WebAuthn credential ID,
// whoever's it is: a passwordless sign-in learns who signs in from it.
// None is ErrNotFound.
func (s *Authenticators) FindCredential(ctx context.Context, credentialID []byte) (oauth.Authenticator, error) {
	if len(credentialID) == 0 {
		return oauth.Authenticator{}, fmt.Errorf("passkey: %w", ErrNotFound)
	}
	value := base64.RawURLEncoding.EncodeToString(credentialID)
	entries, err := s.search(ctx, "(&("+attrAuthnType+"="+oauth.AuthenticatorPasskey+")("+
		attrAuthnCredentialID+"="+ldap.EscapeFilter(value)+"))")
	if err != nil {
		return oauth.Authenticator{}, fmt.Errorf("find passkey: %w", err)
	}
	for _, e := range entries {
		if holdsExactly(e, attrAuthnCredentialID, value) {
			return decodeAuthenticator(e)
		}
	}
	return oauth.Authenticator{}, fmt.Errorf("passkey: %w", ErrNotFound)
}

func (s *Authenticators) search(ctx context.Context, filter string) ([]*ldap.Entry, error) {
	req := ldap.NewSearchRequest(s.baseDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		"(&(objectClass="+classAuthenticator+")"+filter+")", []string{"*"}, nil)
	var entries []*ldap.Entry
	err := s.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.SearchWithPaging(req, pageSize)
		if res != nil {
			entries = res.Entries
		}
		return err
	})
	return entries, classify(err, opSearch)
}

// Create adds an authenticator and returns it as stored (times to the
// second, in UTC; a zero Created becomes now). One whose ID is taken is
// ErrAlreadyExists.
func (s *Authenticators) Create(ctx context.Context, a oauth.Authenticator) (oauth.Authenticator, error) {
	if !validAuthnKey(a.Subject, a.ID) || a.Kind == "" {
		return oauth.Authenticator{}, fmt.Errorf("create authenticator: invalid subject %q, ID %q or kind %q", a.Subject, a.ID, a.Kind)
	}
	if a.Created.IsZero() {
		a.Created = time.Now()
	}
	attrs, err := encodeAuthenticator(a)
	if err != nil {
		return oauth.Authenticator{}, fmt.Errorf("create authenticator %q: %w", a.ID, err)
	}
	req := ldap.NewAddRequest(s.dn(a.ID), nil)
	req.Attribute(attrObjectClass, []string{classAuthenticator})
	for _, name := range slices.Sorted(mapKeys(attrs)) {
		req.Attribute(name, attrs[name])
	}
	req.Attribute(attrVersion, []string{newVersion()})
	err = s.pool.DoOp(ctx, OpAdd, func(conn *ldap.Conn) error { return conn.Add(req) })
	if err := classify(err, opAdd); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			err = fmt.Errorf("the authenticators base DN %s does not exist: %w", s.baseDN, err)
		}
		return oauth.Authenticator{}, fmt.Errorf("create authenticator %q of %q: %w", a.ID, a.Subject, err)
	}
	return roundTrip(a)
}

// Update reads the authenticator afresh, passes it to fn and writes what
// fn returns in one Modify that swaps gatehouseVersion: of two updates
// racing from the same state, one fails with ErrConflict. That is what
// makes a one-time code or a recovery code good once across instances.
// An error from fn is returned and nothing is written.
func (s *Authenticators) Update(ctx context.Context, subject, id string,
	fn func(oauth.Authenticator) (oauth.Authenticator, error)) (oauth.Authenticator, error) {
	old, version, err := s.read(ctx, subject, id)
	if err != nil {
		return oauth.Authenticator{}, err
	}
	arg, _ := roundTrip(old)
	next, err := fn(arg)
	if err != nil {
		return oauth.Authenticator{}, err
	}
	if next.ID != old.ID || next.Subject != old.Subject || next.Kind != old.Kind {
		return oauth.Authenticator{}, fmt.Errorf("update authenticator %q: %w", id, ErrAuthenticatorKeyChanged)
	}
	before, err := encodeAuthenticator(old)
	if err != nil {
		return oauth.Authenticator{}, err
	}
	after, err := encodeAuthenticator(next)
	if err != nil {
		return oauth.Authenticator{}, fmt.Errorf("update authenticator %q: %w", id, err)
	}
	req := ldap.NewModifyRequest(s.dn(id), nil)
	if version == "" {
		req.Add(attrVersion, []string{newVersion()})
	} else {
		req.Delete(attrVersion, []string{version})
		req.Add(attrVersion, []string{newVersion()})
	}
	for _, name := range slices.Sorted(mapKeys(after)) {
		if !slices.Equal(before[name], after[name]) {
			req.Replace(name, after[name])
		}
	}
	for _, name := range slices.Sorted(mapKeys(before)) {
		if _, kept := after[name]; !kept {
			req.Replace(name, nil)
		}
	}
	err = s.pool.DoOp(ctx, OpModify, func(conn *ldap.Conn) error { return conn.Modify(req) })
	if err := classify(err, opSwap); err != nil {
		return oauth.Authenticator{}, fmt.Errorf("update authenticator %q of %q: %w", id, subject, err)
	}
	return roundTrip(next)
}

// Delete removes one of subject's authenticators; none is ErrNotFound.
func (s *Authenticators) Delete(ctx context.Context, subject, id string) error {
	if _, _, err := s.read(ctx, subject, id); err != nil { // only subject's own
		return err
	}
	err := s.pool.DoOp(ctx, OpDelete, func(conn *ldap.Conn) error {
		return conn.Del(ldap.NewDelRequest(s.dn(id), nil))
	})
	if err := classify(err, opDelete); err != nil {
		return fmt.Errorf("delete authenticator %q of %q: %w", id, subject, err)
	}
	return nil
}

// roundTrip is a as a later read returns it, and a deep copy.
func roundTrip(a oauth.Authenticator) (oauth.Authenticator, error) {
	attrs, err := encodeAuthenticator(a)
	if err != nil {
		return oauth.Authenticator{}, err
	}
	e := ldap.NewEntry("", attrs)
	return decodeAuthenticator(e)
}
