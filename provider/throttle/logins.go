package throttle

import (
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
type Logins struct {
	usernames, addresses *Limiter
}

// NewLogins returns a Logins that remembers nothing yet.
func NewLogins(opts LoginOptions) *Logins {
	if opts.Addresses.MaxFailures <= 0 {
		opts.Addresses.MaxFailures = DefaultAddressFailures
	}
	return &Logins{usernames: New(opts.Usernames), addresses: New(opts.Addresses)}
}

// Allow tells whether username may try to sign in from addr now, and if
// not, how long until both limits allow it.
func (l *Logins) Allow(username string, addr netip.Addr) (ok bool, retryAfter time.Duration) {
	okUser, waitUser := l.usernames.Allow(username)
	okAddr, waitAddr := l.addresses.Allow(AddressKey(addr))
	return okUser && okAddr, max(waitUser, waitAddr)
}

// Fail records a failed sign-in of username from addr.
func (l *Logins) Fail(username string, addr netip.Addr) {
	l.usernames.Fail(username)
	l.addresses.Fail(AddressKey(addr))
}

// AllowKnown is Allow for a browser that has signed in as username before
// (it shows a device cookie for it): only the username limit applies.
// Otherwise anyone behind the same address — a NAT, a proxy — could use up
// the address limit with made-up usernames and lock everyone out (OWASP's
// "device cookie" defence). Guessing at username from such a browser is
// still slowed by the username limit.
func (l *Logins) AllowKnown(username string) (ok bool, retryAfter time.Duration) {
	return l.usernames.Allow(username)
}

// FailKnown records a failed sign-in of username from a browser that has
// signed in as username before: against the username only, since that
// browser is not the one spraying guesses from the address.
func (l *Logins) FailKnown(username string) {
	l.usernames.Fail(username)
}

// Succeed forgets the failures of username. The address keeps its count:
// otherwise someone with one account of their own could sign into it
// between guesses and never be slowed down.
func (l *Logins) Succeed(username string) {
	l.usernames.Succeed(username)
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
