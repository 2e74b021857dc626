package ldapstore

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Update reads the authorization afresh, passes a copy to fn and writes
// what fn returns, in one Modify request that holds only the changes and a
// compare-and-swap on gatehouseVersion:
//
//   - an entry with a version v: delete gatehouseVersion v, add a new one;
//   - an entry Gatehouse never wrote (no gatehouseAuthz class, as another
//     server leaves it): add objectClass gatehouseAuthz and a version,
//     on Active Directory in two Modify requests (see swapWrite).
//
// The directory applies a Modify whole or not at all (RFC 4511 §4.6), so
// of two updates racing from the same state one fails with ErrConflict:
// call Update again to apply fn to the newer state. No write is lost.
//
// When something changes and fn left UpdatedAt as it was, UpdatedAt
// becomes now. If fn returns an error, nothing is written and Update
// returns that error; if fn changes nothing, nothing is written. A missing
// authorization is ErrNotFound, and fn is not called. Changing the subject
// or client ID is ErrKeyChanged.
func (s *Authorizations) Update(ctx context.Context, subject, clientID string,
	fn func(oauth.Authorization) (oauth.Authorization, error)) (oauth.Authorization, error) {
	before, err := s.read(ctx, subject, clientID)
	if err != nil {
		return oauth.Authorization{}, err
	}
	old, err := decodeAuthz(before)
	if err != nil {
		return oauth.Authorization{}, err
	}
	arg, _ := decodeAuthz(before) // a copy fn may scribble on, nested Data included
	next, err := fn(arg)
	if err != nil {
		return oauth.Authorization{}, err
	}
	if next.Subject != old.Subject || next.ClientID != old.ClientID {
		return oauth.Authorization{}, fmt.Errorf("update authorization of %q for %q: %w (to %q for %q)",
			subject, clientID, ErrKeyChanged, next.Subject, next.ClientID)
	}
	attrs, changes, err := s.changes(before, old, next)
	if err != nil {
		return oauth.Authorization{}, fmt.Errorf("update authorization of %q for %q: %w", subject, clientID, err)
	}
	if len(changes) == 0 {
		return old, nil
	}
	d, err := s.kinds.dialect(ctx) // known since read
	if err != nil {
		return oauth.Authorization{}, fmt.Errorf("update authorization of %q for %q: %w", subject, clientID, err)
	}
	version := newVersion()
	w := newSwapWrite(before, version, classGatehouseAuthz, changes, d)

	err = s.pool.DoOp(ctx, OpModify, func(conn *ldap.Conn) error { return w.run(conn) })
	if err != nil {
		return oauth.Authorization{}, fmt.Errorf("update authorization of %q for %q: %w",
			subject, clientID, s.swapFailed(ctx, subject, clientID, w.compared(), err))
	}
	return decodeAuthz(stateOf(before.dn, attrs, version))
}

// changes encodes next and lists what differs from the entry, stamping
// UpdatedAt if something does and fn did not set it.
func (s *Authorizations) changes(before entryState, old, next oauth.Authorization) ([]attrValue, []ldap.Change, error) {
	attrs, err := encodeAuthz(next)
	if err != nil {
		return nil, nil, err
	}
	changes := diff(before.attrs, attrs)
	if len(changes) == 0 || !next.UpdatedAt.Equal(old.UpdatedAt) {
		return attrs, changes, nil
	}
	next.UpdatedAt = s.stamp()
	if attrs, err = encodeAuthz(next); err != nil {
		return nil, nil, err
	}
	return attrs, diff(before.attrs, attrs), nil
}

// swapFailed explains a failed update as Clients.swapFailed does: a
// refusal is a conflict only when the entry's version moved on; otherwise
// the directory refused the change itself, and its answer stands.
func (s *Authorizations) swapFailed(ctx context.Context, subject, clientID string, before entryState, err error) error {
	mapped := classify(err, opSwap)
	if errors.Is(mapped, ErrUnavailable) || errors.Is(mapped, ErrNotFound) {
		return mapped
	}
	now, rerr := s.read(ctx, subject, clientID)
	switch {
	case errors.Is(rerr, ErrNotFound):
		return rerr
	case rerr != nil:
		return mapped
	case !slices.Equal(before.versions, now.versions) ||
		before.hasClass(classGatehouseAuthz) != now.hasClass(classGatehouseAuthz):
		if errors.Is(mapped, ErrConflict) {
			return mapped
		}
		return fmt.Errorf("%w: %w", ErrConflict, err)
	default:
		return err
	}
}
