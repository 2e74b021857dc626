// Package audit owns the audit log: one structured Event per
// security-relevant fact (a sign-in, a consent, a token issued, a
// revocation, a change to a registration, a key rotation), and the
// Recorders that write them.
//
// The handlers that know a fact record it through the Recorder interface;
// what becomes of it — a JSON line in a file, a counter in the metrics —
// is decided where the server is wired. The schema of an event is part of
// the external contract (docs/observability.md): fields are added, never
// renamed or given another meaning. An event never holds a secret, a
// password, a code or a token; a token's jti and a certificate thumbprint
// are identifiers, not credentials, and may appear.
package audit
