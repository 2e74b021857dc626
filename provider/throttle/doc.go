// Package throttle slows down password guessing: it owns the bounded
// in-memory limiter of failed sign-ins, kept per username and per client
// address (Logins), and the Limiter beneath it.
//
// A Limiter counts failures per key and lets through MaxFailures of them
// in quick succession, then one more each Window/MaxFailures; success
// clears a key. Its memory is bounded by MaxKeys whatever the number of
// distinct names tried, so a flood of made-up usernames cannot grow it —
// the per-address limit catches such a flood instead. A browser that has
// signed in as a person before (the caller knows it by a device cookie)
// answers to that person's username limit only (AllowKnown, FailKnown), so
// a noisy neighbour behind the same address cannot lock it out.
package throttle
