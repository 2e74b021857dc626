package throttle

import (
	"context"
	"net/netip"
	"time"
)

// DefaultAddressFailures is the default MaxFailures per client address:
// more than per username, since many people may share one address.
const DefaultAddressFailures = 50

// LoginOptions tune Logins: one Limiter per username, one per client
// address. A zero MaxFailures for Addresses means DefaultAddressFailures;
// everything else defaults as in Options.
type LoginOptions struct {
	Usernames Options
	Addresses Options
}

// Logins throttles failed sign-ins per username and per client address.
// The username limit slows guessing at one account from anywhere; the
// address limit slows one client guessing at many accounts, and is what
// stops a flood of made-up usernames.
//
// Call Allow before checking a password, and then Fail or Succeed. An
// unknown username fails like a wrong password: the throttle must not tell
// them apart either.
//
// Errors come from a shared store only (NewSharedLogins). The caller
// answers them as an outage of the session store: sign-in could not
// finish without that store anyway, since the session lives there.
type Logins struct {
	usernames, addresses Counter
}

// NewLogins returns a Logins in this process, for a single instance: two
// bounded Limiters that remember nothing yet.
func NewLogins(opts LoginOptions) *Logins {
	opts = opts.withDefaults()
	return &Logins{usernames: local{New(opts.Usernames)}, addresses: local{New(opts.Addresses)}}
}

// NewSharedLogins returns a Logins whose failures live in store, so that
// every instance sharing it enforces one limit.
func NewSharedLogins(store Store, opts LoginOptions) *Logins {
	opts = opts.withDefaults()
	return &Logins{usernames: NewShared(store, "u", opts.Usernames), addresses: NewShared(store, "a", opts.Addresses)}
}

// NewLoginsOn returns NewSharedLogins when the session store kv is shared
// (implements Store: Redis), NewLogins otherwise (the in-memory store of a
// single instance).
func NewLoginsOn(kv any, opts LoginOptions) *Logins {
	if store, ok := kv.(Store); ok {
		return NewSharedLogins(store, opts)
	}
	return NewLogins(opts)
}

func (o LoginOptions) withDefaults() LoginOptions {
	if o.Addresses.MaxFailures <= 0 {
		o.Addresses.MaxFailures = DefaultAddressFailures
	}
	return o
}

// Allow tells whether username may try to sign in from addr now, and if
// not, how long until both limits allow it.
func (l *Logins) Allow(ctx context.Context, username string, addr netip.Addr) (ok bool, retryAfter time.Duration, err error) {
	okUser, waitUser, err := l.usernames.Allow(ctx, username)
	if err != nil {
		return false, 0, err
	}
	okAddr, waitAddr, err := l.addresses.Allow(ctx, AddressKey(addr))
	if err != nil {
		return false, 0, err
	}
	return okUser && okAddr, max(waitUser, waitAddr), nil
}

// Fail records a failed sign-in of username from addr.
func (l *Logins) Fail(ctx context.Context, username string, addr netip.Addr) error {
	if err := l.usernames.Fail(ctx, username); err != nil {
		return err
	}
	return l.addresses.Fail(ctx, AddressKey(addr))
}

// AllowKnown is Allow for a browser that has signed in as username before
// (it shows a device cookie for it): only the username limit applies.
// Otherwise anyone behind the same address — a NAT, a proxy — could use up
// the address limit with made-up usernames and lock everyone out (OWASP's
// "device cookie" defence). Guessing at username from such a browser is
// still slowed by the username limit.
func (l *Logins) AllowKnown(ctx context.Context, username string) (ok bool, retryAfter time.Duration, err error) {
	return l.usernames.Allow(ctx, username)
}

// FailKnown records a failed sign-in of username from a browser that has
// signed in as username before: against the username only, since that
// browser is not the one spraying guesses from the address.
func (l *Logins) FailKnown(ctx context.Context, username string) error {
	return l.usernames.Fail(ctx, username)
}

// Succeed forgets the failures of username. The address keeps its count:
// otherwise someone with one account of their own could sign into it
// between guesses and never be slowed down.
func (l *Logins) Succeed(ctx context.Context, username string) error {
	return l.usernames.Succeed(ctx, username)
}

// AddressKey is the limiter key of a client address. IPv6 addresses count
// by their /64 network, since one client usually holds all of it; IPv4
// addresses, also mapped into IPv6, count one by one. All invalid
// addresses share one key.
func AddressKey(addr netip.Addr) string {
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

// AllowAddress is Allow for an attempt that names no one yet (a passkey
// whose credential is unknown until it is checked): the address limit
// only.
func (l *Logins) AllowAddress(ctx context.Context, addr netip.Addr) (ok bool, retryAfter time.Duration, err error) {
	return l.addresses.Allow(ctx, AddressKey(addr))
}

// FailAddress records a failed attempt from addr that names no one (an
// unknown passkey, an unreadable answer).
func (l *Logins) FailAddress(ctx context.Context, addr netip.Addr) error {
	return l.addresses.Fail(ctx, AddressKey(addr))
}
