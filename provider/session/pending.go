package session

import (
	"context"
	"net/netip"
	"time"
)

// Defaults for PendingLimits (sessions.pendingFlows.max and
// sessions.pendingFlows.perAddress).
const (
	DefaultMaxPending      = 20_000
	DefaultPendingPerGroup = 256
)

// PendingLimits bound the evictable entries of a store: anonymous pending
// flows, which anyone can create without signing in. Reaching a limit
// evicts the oldest entry rather than refusing the new one, so that a
// flood pushes out its own entries and never locks others out.
type PendingLimits struct {
	// Max bounds the evictable entries of the whole store; 0 or less
	// means DefaultMaxPending.
	Max int
	// PerGroup bounds those of one group (one client address); 0 or less
	// means DefaultPendingPerGroup. Above Max it is Max.
	PerGroup int
}

func (l PendingLimits) withDefaults() PendingLimits {
	if l.Max <= 0 {
		l.Max = DefaultMaxPending
	}
	if l.PerGroup <= 0 {
		l.PerGroup = DefaultPendingPerGroup
	}
	l.PerGroup = min(l.PerGroup, l.Max)
	return l
}

// EvictableKV is a KV that also keeps evictable entries, in groups, within
// PendingLimits. Memory and Redis implement it; Flows uses it when its KV
// does, and otherwise stores every flow with Put, leaving the bound to the
// KV itself.
type EvictableKV interface {
	KV
	// PutEvictable stores value under key for ttl as an evictable entry of
	// group. When the group or the store already holds as many evictable
	// entries as the limits allow, the oldest of them are removed to make
	// room: the new entry is never refused for lack of room. Replacing an
	// evictable entry keeps its place in line.
	PutEvictable(ctx context.Context, group, key string, value []byte, ttl time.Duration) error
	// Unlist makes the entry under key, of group, an ordinary one: never
	// evicted, and no longer counted against the limits. A key that is not
	// there, or not evictable, is not an error.
	Unlist(ctx context.Context, group, key string) error
}

// Stats tell how full a store is, for readiness checks and metrics.
type Stats struct {
	// Entries are the ordinary entries (sessions, codes, signed-in flows)
	// and MaxEntries their bound; -1 where the store does not count them
	// (Redis, bounded by its maxmemory).
	Entries, MaxEntries int
	// Pending are the evictable entries (anonymous pending flows) and
	// MaxPending their bound.
	Pending, MaxPending int
}

// AddressGroup is the group of evictable entries a client address counts
// in: IPv6 addresses by their /64 network, since one client usually holds
// all of it; IPv4 addresses, also mapped into IPv6, one by one; all
// invalid addresses together. It is throttle.AddressKey's grouping, kept
// here so that the store does not depend on the throttle.
func AddressGroup(addr netip.Addr) string {
	addr = addr.Unmap()
	switch {
	case !addr.IsValid():
		return "invalid"
	case addr.Is6():
		return netip.PrefixFrom(addr.WithZone(""), 64).Masked().String()
	default:
		return addr.String()
	}
}
