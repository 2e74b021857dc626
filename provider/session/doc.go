// Package session owns the provider's short-lived server state: browser
// sessions, pending authorization requests (flows) between /authorize and
// the code, and authorization codes.
//
// Everything rests on KV, a four-method key-value interface with expiry.
// Values are opaque bytes and every entry has a time to live, so the typed
// stores (Sessions, Flows, Codes) encode their values as JSON and never
// depend on the process they run in. KV is the seam for sharing state
// between instances: Memory serves one process now, and a Redis
// implementation of KV is all a shared deployment needs. The conformance
// suite in sessiontest is what any implementation must pass.
//
// Secrets that a browser or client holds — session cookies, flow ids,
// authorization codes — never appear in the store as they are: each is
// stored under the SHA-256 of its value, so that a dump of the store yields
// nothing that can be presented back to the provider.
//
// Pending flows that no one has signed in to yet are the one kind of state
// anyone can create, so they have a budget of their own (EvictableKV,
// PendingLimits): at most 256 per client address (an IPv6 /64 counts as
// one address) and 20,000 in all by default, the oldest pushed out when a
// new one comes, and each at most 16 KiB as stored. Pending flows thus
// hold at most 20,000 × 16 KiB, about 320 MiB, in the worst case (a
// typical flow is under 2 KiB: about 40 MiB at the cap); a flood of
// /authorize requests evicts its own flows, never those of people who
// have signed in, and cannot fill the budget of sessions and codes.
//
// Missing and expired entries are storage.ErrNotFound; a full store is
// ErrFull, which is also storage.ErrUnavailable. Outages of the store are
// storage.ErrUnavailable too, with a text that says "session store", so
// that logs tell them from outages of the directory.
package session
