package registration

import (
	"context"
	"encoding/json"

	"github.com/gatehouse-idp/gatehouse/provider/netguard"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Clients registered openly are marked (oauth.MemberOpenRegistration), so
// that the server, when it later fetches their key sets and request
// objects or POSTs their logout tokens, reaches public addresses only
// (provider/netguard): a host name checked at registration may resolve,
// or be rebound, to an internal address. Clients registered with the
// master token carry no mark and may point at internal hosts.
//
// The mark is the server's: a client updating itself cannot drop or
// change it; the master token may set it (JSON true or false) at
// registration or on update, and keeps it by leaving it out.

// markOpen sets the mark on a new client's metadata, or, for the master
// token, checks the value it sent.
func markOpen(m *oauth.Metadata, who Access) *oauth.Error {
	switch {
	case who == Open:
		m.MarkOpenlyRegistered()
	case who == Master:
		return checkOpenMark(*m)
	}
	return nil
}

// checkOpenMark: the mark, when sent, is a JSON boolean.
func checkOpenMark(m oauth.Metadata) *oauth.Error {
	raw, ok := m.Extra[oauth.MemberOpenRegistration]
	if !ok {
		return nil
	}
	var v bool
	if json.Unmarshal(raw, &v) != nil {
		return invalidMetadata(oauth.MemberOpenRegistration, "must be true or false")
	}
	return nil
}

// keepOpenMark, on a replace by the master token, keeps the stored mark
// unless the request sent one. (A client's own replace keeps it through
// keepGuarded.)
func keepOpenMark(next *oauth.Metadata, old oauth.Metadata) *oauth.Error {
	if _, sent := next.Extra[oauth.MemberOpenRegistration]; sent {
		return checkOpenMark(*next)
	}
	next.Extra = withMember(next.Extra, oauth.MemberOpenRegistration, old.Extra)
	return nil
}

// fetchContext marks ctx for the fetch of a sector_identifier_uri made
// while registering or updating: guarded for an open registration, and
// for a marked client updating itself. When the stored client cannot be
// read the fetch is guarded; the update then fails anyway. Without a
// sector_identifier_uri nothing is fetched, and nothing read.
func (s *Service) fetchContext(ctx context.Context, m oauth.Metadata, id string, who Access) context.Context {
	if m.SectorIdentifierURI == "" {
		return ctx
	}
	switch who {
	case Open:
		return netguard.WithPublicOnly(ctx)
	case Self:
		if old, err := s.store.Get(ctx, id); err != nil || old.Metadata.OpenlyRegistered() {
			return netguard.WithPublicOnly(ctx)
		}
	}
	return ctx
}

// openRules holds a marked client updating itself to the rules of open
// registration for the URLs the server reaches.
func openRules(m *oauth.Metadata, p Policy) *oauth.Error {
	v := &validator{m: m, policy: p, open: true}
	if err := v.openBackchannel(); err != nil {
		return err
	}
	return v.openFetched()
}

// openReplace applies the mark's rules to a replace: a marked client
// updating itself is held to open registration's rules for the URLs the
// server reaches; the master token keeps or sets the mark.
func openReplace(next *oauth.Metadata, old oauth.Metadata, who Access, p Policy) *oauth.Error {
	switch {
	case who == Self && old.OpenlyRegistered():
		return openRules(next, p)
	case who == Master:
		return keepOpenMark(next, old)
	}
	return nil
}
