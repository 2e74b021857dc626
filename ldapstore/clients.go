package ldapstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Clients keeps client registrations as entries
// oauthClientID=<id>,<base DN>, in the attributes of the 1.15 client
// schema (see mapping.go), with Gatehouse's additions in the auxiliary
// class gatehouseClient.
//
// Get goes through a short-lived cache (see WithCacheTTL); every other
// method reads the directory. Errors wrap ErrNotFound, ErrAlreadyExists,
// ErrConflict, ErrMalformed and ErrUnavailable as the methods describe.
//
// On Active Directory (see DirectoryKind) language-tagged values and
// contacts are kept in oauthClientData; entries in either form are read.
type Clients struct {
	pool   *Pool
	baseDN string
	cache  *clientCache
	kinds  *directoryKinds
}

// ClientsOption changes a default of NewClients.
type ClientsOption func(*clientsConfig)

type clientsConfig struct {
	cacheTTL  time.Duration
	cacheSize int
	now       func() time.Time
	kind      DirectoryKind
}

// WithDirectoryKind says what kind of directory the clients are kept in,
// instead of reading it from the root DSE (DirectoryAuto, the default).
func WithDirectoryKind(k DirectoryKind) ClientsOption {
	return func(c *clientsConfig) { c.kind = k }
}

// WithCacheTTL sets how long Get may answer from memory; 0 turns the cache
// off. Changes made through this Clients are seen at once; changes made
// elsewhere within ttl. The default is DefaultClientCacheTTL.
func WithCacheTTL(ttl time.Duration) ClientsOption {
	return func(c *clientsConfig) { c.cacheTTL = ttl }
}

// WithCacheSize bounds the number of clients cached; the least recently
// used go first. The default is DefaultClientCacheSize.
func WithCacheSize(n int) ClientsOption {
	return func(c *clientsConfig) { c.cacheSize = n }
}

// WithClock replaces time.Now for the cache, for tests.
func WithClock(now func() time.Time) ClientsOption {
	return func(c *clientsConfig) { c.now = now }
}

// pageSize keeps each page of List under OpenLDAP's default size limit of
// 500. (The limit on the total, size.prtotal, still applies to accounts
// other than the root DN: raise it to list more clients than that.)
const pageSize = 250

// NewClients returns the client store for entries directly below baseDN.
func NewClients(pool *Pool, baseDN string, opts ...ClientsOption) (*Clients, error) {
	if pool == nil {
		return nil, errors.New("clients: no connection pool")
	}
	if _, err := ldap.ParseDN(baseDN); err != nil || baseDN == "" {
		return nil, fmt.Errorf("clients: base DN %q is not a DN", baseDN)
	}
	cfg := clientsConfig{cacheTTL: DefaultClientCacheTTL, cacheSize: DefaultClientCacheSize, now: time.Now}
	for _, opt := range opts {
		opt(&cfg)
	}
	kinds, err := newDirectoryKinds(pool, cfg.kind)
	if err != nil {
		return nil, fmt.Errorf("clients: %w", err)
	}
	return &Clients{
		pool:   pool,
		baseDN: baseDN,
		cache:  newClientCache(cfg.cacheTTL, cfg.cacheSize, cfg.now),
		kinds:  kinds,
	}, nil
}

// dn names the entry of a client. The ID is escaped here and nowhere else.
func (s *Clients) dn(id string) string {
	return attrClientID + "=" + escapeRDNValue(id) + "," + s.baseDN
}

// validID tells whether an ID can name an entry at all: a DN is UTF-8 and
// an RDN value is not empty.
func validID(id string) bool { return id != "" && utf8.ValidString(id) }

// shortID is an ID as error messages show it: whole up to 64 bytes,
// shortened beyond, with its length. IDs come from requests, and a
// message may end up in the log.
func shortID(id string) string {
	const shown = 64
	if len(id) <= shown {
		return id
	}
	return fmt.Sprintf("%s... (%d bytes)", id[:shown], len(id))
}

// Get returns the client with the given ID, from the cache when it holds a
// fresh copy. A client that does not exist is ErrNotFound; one whose entry
// cannot be read is a MalformedEntryError.
func (s *Clients) Get(ctx context.Context, id string) (oauth.Client, error) {
	c, gen, ok := s.cache.get(id)
	if ok {
		return c, nil
	}
	st, err := s.read(ctx, id)
	if err != nil {
		return oauth.Client{}, err
	}
	c, err = decodeClient(st)
	if err != nil {
		return oauth.Client{}, err
	}
	s.cache.put(gen, id, c)
	return c, nil
}

// read fetches a client's entry from the directory, never from the cache.
func (s *Clients) read(ctx context.Context, id string) (entryState, error) {
	if !validID(id) {
		return entryState{}, fmt.Errorf("client %q: %w", shortID(id), ErrNotFound)
	}
	// The filter repeats the ID so that the entry found is the one whose
	// oauthClientID matches it, not merely one at that DN.
	req := ldap.NewSearchRequest(s.dn(id), ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"("+attrClientID+"="+ldap.EscapeFilter(id)+")", []string{"*"}, nil)
	var found *ldap.Entry
	err := s.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		res, err := conn.Search(req)
		if err == nil && len(res.Entries) == 1 {
			found = res.Entries[0]
		}
		return err
	})
	if err := classify(err, opRead); err != nil {
		return entryState{}, fmt.Errorf("read client %q: %w", shortID(id), err)
	}
	// Client IDs are compared as exact strings (RFC 6749 §2.2 leaves no
	// room for folding). The directory's matching rule may be looser:
	// caseExactMatch still ignores leading, trailing and repeated spaces.
	if found == nil || !slices.Contains(found.GetEqualFoldAttributeValues(attrClientID), id) {
		return entryState{}, fmt.Errorf("client %q: %w", shortID(id), ErrNotFound)
	}
	return readEntry(found), nil
}

// Create adds a client and returns it as stored: times to the second in
// UTC, language tags in canonical case, Version set. A client with that ID
// already there is ErrAlreadyExists.
func (s *Clients) Create(ctx context.Context, c oauth.Client) (oauth.Client, error) {
	if !validID(c.ID) {
		return oauth.Client{}, fmt.Errorf("create client: invalid client ID %q", shortID(c.ID))
	}
	d, err := s.kinds.dialect(ctx)
	if err != nil {
		return oauth.Client{}, fmt.Errorf("create client %q: %w", c.ID, err)
	}
	attrs, err := encodeClient(c, d)
	if err != nil {
		return oauth.Client{}, fmt.Errorf("create client %q: %w", c.ID, err)
	}
	version := newVersion()
	dn := s.dn(c.ID)
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute(attrObjectClass, clientClasses)
	for _, a := range attrs {
		req.Attribute(a.desc, a.values)
	}
	req.Attribute(attrVersion, []string{version})

	err = s.pool.DoOp(ctx, OpAdd, func(conn *ldap.Conn) error { return conn.Add(req) })
	s.cache.invalidate(c.ID)
	if err := classify(err, opAdd); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			return oauth.Client{}, fmt.Errorf("create client %q: the clients base DN %s does not exist: %w", c.ID, s.baseDN, err)
		}
		return oauth.Client{}, fmt.Errorf("create client %q: %w", c.ID, err)
	}
	return decodeClient(stateOf(dn, attrs, version))
}

// Delete removes a client; one that does not exist is ErrNotFound.
func (s *Clients) Delete(ctx context.Context, id string) error {
	// Read first, so that only the client with exactly this ID goes.
	st, err := s.read(ctx, id)
	if err != nil {
		return err
	}
	err = s.pool.DoOp(ctx, OpDelete, func(conn *ldap.Conn) error {
		return conn.Del(ldap.NewDelRequest(st.dn, nil))
	})
	s.cache.invalidate(id)
	if err := classify(err, opDelete); err != nil {
		return fmt.Errorf("delete client %q: %w", shortID(id), err)
	}
	return nil
}

// List yields every client below the base DN. An entry that cannot be read
// yields a MalformedEntryError naming it, and the listing goes on. A
// failure of the search itself is yielded once, alone.
//
// The search is paged (RFC 2696) on one connection, since servers tie the
// paging cookie to the connection, and is read in full before the first
// client is yielded: the loop body may use the store, even with a pool of
// one connection.
func (s *Clients) List(ctx context.Context) iter.Seq2[oauth.Client, error] {
	return func(yield func(oauth.Client, error) bool) {
		entries, err := s.searchAll(ctx)
		if err != nil {
			yield(oauth.Client{}, fmt.Errorf("list clients: %w", err))
			return
		}
		for _, e := range entries {
			if !yield(decodeClient(readEntry(e))) {
				return
			}
		}
	}
}

func (s *Clients) searchAll(ctx context.Context) ([]*ldap.Entry, error) {
	paging := ldap.NewControlPaging(pageSize)
	req := ldap.NewSearchRequest(s.baseDN, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		"("+attrClientID+"=*)", []string{"*"}, []ldap.Control{paging})
	var entries []*ldap.Entry
	err := s.pool.DoOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		for {
			res, err := conn.Search(req)
			if err != nil {
				return err
			}
			entries = append(entries, res.Entries...)
			next, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
			if !ok || len(next.Cookie) == 0 {
				return nil
			}
			paging.SetCookie(next.Cookie)
		}
	})
	return entries, classify(err, opRead)
}

// newVersion returns a fresh value for gatehouseVersion.
func newVersion() string { return rand.Text() }
