package ldapstore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Authorizations keeps long-lived authorizations — what a person consented
// to for a client — as entries
// authzSubject=<subject>+authzClientID=<client ID>,<base DN> of the 1.15
// schema (classes oauth2Authz and oidcAuthz; see authz_mapping.go), with
// Gatehouse's version in the auxiliary class gatehouseAuthz. Active
// Directory has no multi-valued RDNs: there the entries are
// cn=<authzCN(subject, client ID)>,<base DN> (see DirectoryKind).
//
// Every method reads the directory; nothing is cached. Errors wrap
// ErrNotFound, ErrAlreadyExists, ErrConflict, ErrMalformed and
// ErrUnavailable as the methods describe.
type Authorizations struct {
	pool   *Pool
	baseDN string
	now    func() time.Time
	kind   DirectoryKind // as configured
	kinds  *directoryKinds
}

// AuthorizationsOption changes a default of NewAuthorizations.
type AuthorizationsOption func(*Authorizations)

// WithAuthorizationClock replaces time.Now, which stamps IssuedAt and
// UpdatedAt, for tests.
func WithAuthorizationClock(now func() time.Time) AuthorizationsOption {
	return func(s *Authorizations) { s.now = now }
}

// WithAuthorizationDirectoryKind says what kind of directory the
// authorizations are kept in, instead of reading it from the root DSE
// (DirectoryAuto, the default).
func WithAuthorizationDirectoryKind(k DirectoryKind) AuthorizationsOption {
	return func(s *Authorizations) { s.kind = k }
}

// ErrKeyChanged is returned by Update when its function changes the
// subject or the client ID, which name the entry.
var ErrKeyChanged = errors.New("the subject and client ID of an authorization cannot be changed")

// NewAuthorizations returns the store for entries directly below baseDN.
func NewAuthorizations(pool *Pool, baseDN string, opts ...AuthorizationsOption) (*Authorizations, error) {
	if pool == nil {
		return nil, errors.New("authorizations: no connection pool")
	}
	if err := checkBaseDN(baseDN); err != nil {
		return nil, fmt.Errorf("authorizations: base DN: %w", err)
	}
	s := &Authorizations{pool: pool, baseDN: baseDN, now: time.Now}
	for _, opt := range opts {
		opt(s)
	}
	var err error
	if s.kinds, err = newDirectoryKinds(pool, s.kind); err != nil {
		return nil, fmt.Errorf("authorizations: %w", err)
	}
	return s, nil
}

// dn names the entry of an authorization: a multi-valued RDN, each value
// escaped here and nowhere else (RFC 4514 §2.4); or, where the directory
// has no multi-valued RDNs, a cn derived from both.
func (s *Authorizations) dn(subject, clientID string, d dialect) string {
	if d.namedByCN {
		return "cn=" + authzCN(subject, clientID) + "," + s.baseDN
	}
	return attrAuthzSubject + "=" + escapeRDNValue(subject) + "+" +
		attrAuthzClientID + "=" + escapeRDNValue(clientID) + "," + s.baseDN
}

// authzCN names an authorization where the RDN can hold one value only:
// the SHA-256 of subject, a NUL and client ID, in unpadded base64url: 43
// characters that need no escaping and fit AD's 64 for cn. An operator
// can compute it:
//
//	printf '%s\0%s' SUB CLIENT | openssl dgst -sha256 -binary | basenc --base64url | tr -d =
//
// AD compares cn ignoring case, which still leaves about 2^200 names
// apart. Two keys can share a name only if one holds a NUL; the search
// filter on authzSubject and authzClientID checks that the entry found is
// the one sought, so they cannot be mixed up.
func authzCN(subject, clientID string) string {
	sum := sha256.Sum256([]byte(subject + "\x00" + clientID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validKey tells whether a subject and client ID can name an entry at all.
func validKey(subject, clientID string) bool {
	return subject != "" && clientID != "" && utf8.ValidString(subject) && utf8.ValidString(clientID)
}

// Get returns the authorization of subject for clientID; none is
// ErrNotFound, one that cannot be read a MalformedEntryError.
func (s *Authorizations) Get(ctx context.Context, subject, clientID string) (oauth.Authorization, error) {
	st, err := s.read(ctx, subject, clientID)
	if err != nil {
		return oauth.Authorization{}, err
	}
	return decodeAuthz(st)
}

// read fetches an authorization's entry. Subject and client ID are
// compared as exact strings: the directory's caseExactMatch still ignores
// leading, trailing and repeated spaces.
func (s *Authorizations) read(ctx context.Context, subject, clientID string) (entryState, error) {
	if !validKey(subject, clientID) {
		return entryState{}, fmt.Errorf("authorization of %q for %q: %w", subject, clientID, ErrNotFound)
	}
	d, err := s.kinds.dialect(ctx)
	if err != nil {
		return entryState{}, fmt.Errorf("read authorization of %q for %q: %w", subject, clientID, err)
	}
	filter := "(&(" + attrAuthzSubject + "=" + ldap.EscapeFilter(subject) + ")(" +
		attrAuthzClientID + "=" + ldap.EscapeFilter(clientID) + "))"
	req := ldap.NewSearchRequest(s.dn(subject, clientID, d), ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		0, 0, false, filter, []string{"*"}, nil)
	var found *ldap.Entry
	err = s.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.Search(req)
		if err == nil && len(res.Entries) == 1 {
			found = res.Entries[0]
		}
		return err
	})
	if err := classify(err, opRead); err != nil {
		return entryState{}, fmt.Errorf("read authorization of %q for %q: %w", subject, clientID, err)
	}
	if found == nil || !holdsExactly(found, attrAuthzSubject, subject) || !holdsExactly(found, attrAuthzClientID, clientID) {
		return entryState{}, fmt.Errorf("authorization of %q for %q: %w", subject, clientID, ErrNotFound)
	}
	return readAuthzEntry(found), nil
}

func holdsExactly(e *ldap.Entry, attr, value string) bool {
	return slices.Contains(e.GetEqualFoldAttributeValues(attr), value)
}

// Create adds an authorization and returns it as stored: times to the
// second in UTC, Version set. A zero IssuedAt becomes now, a zero
// UpdatedAt becomes IssuedAt. One that exists already is ErrAlreadyExists.
func (s *Authorizations) Create(ctx context.Context, a oauth.Authorization) (oauth.Authorization, error) {
	if !validKey(a.Subject, a.ClientID) {
		return oauth.Authorization{}, fmt.Errorf("create authorization: invalid subject %q or client ID %q", a.Subject, a.ClientID)
	}
	if a.IssuedAt.IsZero() {
		a.IssuedAt = s.stamp()
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.IssuedAt
	}
	attrs, err := encodeAuthz(a)
	if err != nil {
		return oauth.Authorization{}, fmt.Errorf("create authorization of %q for %q: %w", a.Subject, a.ClientID, err)
	}
	d, err := s.kinds.dialect(ctx)
	if err != nil {
		return oauth.Authorization{}, fmt.Errorf("create authorization of %q for %q: %w", a.Subject, a.ClientID, err)
	}
	version := newVersion()
	dn := s.dn(a.Subject, a.ClientID, d)
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute(attrObjectClass, authzClasses)
	if d.namedByCN {
		// AD would add it from the DN; other directories want the
		// naming value given (RFC 4512 §2.3.1).
		req.Attribute("cn", []string{authzCN(a.Subject, a.ClientID)})
	}
	for _, av := range attrs {
		req.Attribute(av.desc, av.values)
	}
	req.Attribute(attrVersion, []string{version})

	err = s.pool.DoOp(ctx, OpAdd, func(conn *ldap.Conn) error { return conn.Add(req) })
	if err := classify(err, opAdd); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			err = fmt.Errorf("the authorizations base DN %s does not exist: %w", s.baseDN, err)
		}
		return oauth.Authorization{}, fmt.Errorf("create authorization of %q for %q: %w", a.Subject, a.ClientID, err)
	}
	return decodeAuthz(stateOf(dn, attrs, version))
}

// stamp is the time now as the directory will keep it.
func (s *Authorizations) stamp() time.Time { return s.now().UTC().Truncate(time.Second) }

// Delete removes an authorization; one that does not exist is ErrNotFound.
func (s *Authorizations) Delete(ctx context.Context, subject, clientID string) error {
	st, err := s.read(ctx, subject, clientID) // so that only this exact one goes
	if err != nil {
		return err
	}
	err = s.pool.DoOp(ctx, OpDelete, func(conn *ldap.Conn) error {
		return conn.Del(ldap.NewDelRequest(st.dn, nil))
	})
	if err := classify(err, opDelete); err != nil {
		return fmt.Errorf("delete authorization of %q for %q: %w", subject, clientID, err)
	}
	return nil
}

// ListBySubject returns every authorization of subject, ordered by client
// ID; none is an empty list, not an error. Entries that cannot be read are
// left out and reported together in the error (each a MalformedEntryError,
// errors.Is ErrMalformed), so the readable ones are returned even then;
// any other error returns nothing.
//
// The search is paged (RFC 2696) on one connection.
func (s *Authorizations) ListBySubject(ctx context.Context, subject string) ([]oauth.Authorization, error) {
	if subject == "" || !utf8.ValidString(subject) {
		return nil, nil
	}
	req := ldap.NewSearchRequest(s.baseDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		"("+attrAuthzSubject+"="+ldap.EscapeFilter(subject)+")", []string{"*"}, nil)
	var entries []*ldap.Entry
	err := s.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.SearchWithPaging(req, pageSize)
		if res != nil {
			entries = res.Entries
		}
		return err
	})
	if err := classify(err, opSearch); err != nil {
		return nil, fmt.Errorf("list authorizations of %q: %w", subject, err)
	}
	var list []oauth.Authorization
	var bad []error
	for _, e := range entries {
		if !holdsExactly(e, attrAuthzSubject, subject) {
			continue // equal only under the matching rule
		}
		a, err := decodeAuthz(readAuthzEntry(e))
		if err != nil {
			bad = append(bad, err)
			continue
		}
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b oauth.Authorization) int { return cmp.Compare(a.ClientID, b.ClientID) })
	return list, errors.Join(bad...)
}
