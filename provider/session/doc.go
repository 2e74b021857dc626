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
// Missing and expired entries are storage.ErrNotFound; a full store is
// ErrFull, which is also storage.ErrUnavailable.
package session
