package ldapstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// ErrIDChanged is returned by Update when its function changes the ID: a
// client is renamed by creating a new one and deleting the old.
var ErrIDChanged = errors.New("the client ID cannot be changed")

// Update reads the client afresh (never from the cache), passes a copy to
// fn and writes what fn returns, in one Modify request that holds only the
// changes and a compare-and-swap on gatehouseVersion:
//
//   - an entry with a version v: delete gatehouseVersion v, add a new one;
//   - an entry Gatehouse never wrote (no gatehouseClient class, as another
//     server leaves it): add objectClass gatehouseClient and a version.
//     Active Directory takes the class only in a Modify of its own, so
//     there that comes first (see swapWrite).
//
// The directory applies a Modify whole or not at all (RFC 4511 §4.6), and
// the delete fails if v is gone, the class add if the class is there
// already, so of two updates racing from the same state one fails with
// ErrConflict: call Update again to apply fn to the newer state. No write
// is lost.
//
// If fn returns an error, nothing is written and Update returns that error.
// If fn changes nothing, nothing is written. A missing client is
// ErrNotFound, and fn is not called.
func (s *Clients) Update(ctx context.Context, id string, fn func(oauth.Client) (oauth.Client, error)) (oauth.Client, error) {
	before, err := s.read(ctx, id)
	if err != nil {
		return oauth.Client{}, err
	}
	old, err := decodeClient(before)
	if err != nil {
		return oauth.Client{}, err
	}
	next, err := fn(old.Clone())
	if err != nil {
		return oauth.Client{}, err
	}
	if next.ID != old.ID {
		return oauth.Client{}, fmt.Errorf("update client %q: %w (to %q)", id, ErrIDChanged, next.ID)
	}
	d, err := s.kinds.dialect(ctx)
	if err != nil {
		return oauth.Client{}, fmt.Errorf("update client %q: %w", id, err)
	}
	attrs, err := encodeClient(next, d)
	if err != nil {
		return oauth.Client{}, fmt.Errorf("update client %q: %w", id, err)
	}
	changes := diff(before.attrs, attrs)
	if len(changes) == 0 {
		return old, nil
	}
	version := newVersion()
	w := newSwapWrite(before, version, classGatehouseClient, changes, d)

	err = s.pool.DoOp(ctx, OpModify, func(conn *ldap.Conn) error { return w.run(conn) })
	s.cache.invalidate(id)
	if err != nil {
		return oauth.Client{}, fmt.Errorf("update client %q: %w", id, s.swapFailed(ctx, id, w.compared(), err))
	}
	return decodeClient(stateOf(before.dn, attrs, version))
}

// swapWrite is the write of an update: the Modify requests that carry its
// changes and compare-and-swap, in order, and the state of the entry each
// compares against.
type swapWrite struct {
	reqs   []*ldap.ModifyRequest
	states []entryState
	failed int // the request that failed
}

// newSwapWrite makes one Modify of the compare-and-swap (see swap) and
// the changes. An entry without auxClass on a directory that takes the
// class only alone (d.auxClassApart) gets two: the class add first, which
// fails if another update added the class since before; then the version
// and the changes, as for an entry that has the class but no version,
// which fails if another update added a version since.
func newSwapWrite(before entryState, version, auxClass string, changes []ldap.Change, d dialect) *swapWrite {
	w := &swapWrite{}
	if d.auxClassApart && len(before.versions) == 0 && !before.hasClass(auxClass) {
		first := ldap.NewModifyRequest(before.dn, nil)
		first.Add(attrObjectClass, []string{auxClass})
		w.reqs, w.states = append(w.reqs, first), append(w.states, before)
		before.classes = append(slices.Clone(before.classes), auxClass)
	}
	req := ldap.NewModifyRequest(before.dn, nil)
	req.Changes = append(swap(before, version, auxClass), changes...)
	w.reqs, w.states = append(w.reqs, req), append(w.states, before)
	return w
}

// run sends the requests on conn in order, stopping at the first refused.
func (w *swapWrite) run(conn *ldap.Conn) error {
	for i, req := range w.reqs {
		if err := conn.Modify(req); err != nil {
			w.failed = i
			return err
		}
	}
	return nil
}

// compared is the state of the entry that the failed request compared
// against, for telling a conflict from a refusal.
func (w *swapWrite) compared() entryState { return w.states[w.failed] }

// swap returns the compare-and-swap half of an update's Modify, for an
// entry whose Gatehouse auxiliary class (gatehouseClient, gatehouseAuthz)
// carries gatehouseVersion.
func swap(before entryState, version, auxClass string) []ldap.Change {
	next := ldap.PartialAttribute{Type: attrVersion, Vals: []string{version}}
	switch {
	case len(before.versions) > 0:
		return []ldap.Change{
			{Operation: ldap.DeleteAttribute, Modification: ldap.PartialAttribute{Type: attrVersion, Vals: before.versions}},
			{Operation: ldap.AddAttribute, Modification: next},
		}
	case !before.hasClass(auxClass):
		return []ldap.Change{
			{Operation: ldap.AddAttribute, Modification: ldap.PartialAttribute{Type: attrObjectClass, Vals: []string{auxClass}}},
			{Operation: ldap.AddAttribute, Modification: next},
		}
	default:
		// The class without a version: Gatehouse never leaves an entry so.
		// The add fails only where gatehouseVersion is single-valued, as
		// the shipped schema has it, and a racing update added one first.
		return []ldap.Change{{Operation: ldap.AddAttribute, Modification: next}}
	}
}

// diff lists the changes that turn the attributes an entry has into those
// it should have: replace what differs, delete what is gone. Attributes are
// compared as ordered lists of exact values.
func diff(have map[string]attrValue, want []attrValue) []ldap.Change {
	var changes []ldap.Change
	wanted := make(map[string]bool, len(want))
	for _, a := range want {
		wanted[a.key()] = true
		if old, ok := have[a.key()]; ok && slices.Equal(old.values, a.values) {
			continue
		}
		changes = append(changes, ldap.Change{Operation: ldap.ReplaceAttribute,
			Modification: ldap.PartialAttribute{Type: a.desc, Vals: a.values}})
	}
	for _, key := range slices.Sorted(maps.Keys(have)) {
		if !wanted[key] {
			changes = append(changes, ldap.Change{Operation: ldap.DeleteAttribute,
				Modification: ldap.PartialAttribute{Type: have[key].desc}})
		}
	}
	return changes
}

// swapFailed explains a failed update. A Modify refused because a value
// was missing or present is a conflict when the entry's version moved on;
// if it did not, the directory refused the change itself (say, two values
// its matching rule holds equal), and retrying would not help, so the
// directory's answer is returned as it is.
func (s *Clients) swapFailed(ctx context.Context, id string, before entryState, err error) error {
	mapped := classify(err, opSwap)
	if errors.Is(mapped, ErrUnavailable) || errors.Is(mapped, ErrNotFound) {
		return mapped
	}
	now, rerr := s.read(ctx, id)
	switch {
	case errors.Is(rerr, ErrNotFound):
		return rerr
	case rerr != nil:
		return mapped // cannot tell; the directory's first answer stands
	case versionChanged(before, now):
		if errors.Is(mapped, ErrConflict) {
			return mapped
		}
		return fmt.Errorf("%w: %w", ErrConflict, err)
	default:
		return err
	}
}

func versionChanged(before, now entryState) bool {
	return !slices.Equal(before.versions, now.versions) ||
		before.hasClass(classGatehouseClient) != now.hasClass(classGatehouseClient)
}
