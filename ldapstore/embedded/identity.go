package embedded

import "sync"

// identity is who a connection is bound as. The zero value is anonymous.
type identity struct {
	dn    string // as given in the bind request; "" for anonymous
	admin bool
}

// identities remembers who each open connection is bound as. gldap serves
// the requests of one connection concurrently, so the map is locked.
type identities struct {
	mu     sync.Mutex
	byConn map[int]identity
}

func newIdentities() *identities {
	return &identities{byConn: make(map[int]identity)}
}

func (s *identities) get(conn int) identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byConn[conn]
}

func (s *identities) set(conn int, who identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if who == (identity{}) {
		delete(s.byConn, conn)
		return
	}
	s.byConn[conn] = who
}

// drop forgets a connection once gldap has closed it.
func (s *identities) drop(conn int) { s.set(conn, identity{}) }
