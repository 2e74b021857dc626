// Package par owns the pushed authorization request endpoint, POST /par
// (RFC 9126): a client authenticates as at the token endpoint, pushes the
// parameters of an authorization request (or a signed request object),
// and gets back a request_uri of the form
// urn:ietf:params:oauth:request_uri:<random> to send to /authorize with
// its client_id and nothing else.
//
// The request is validated when it is pushed, by the same rules as at
// /authorize (authorize.ParsePushed), but its errors go back to the
// client as JSON, never to a redirect URI. What is stored is the
// validated request, bounded like a pending flow, in the session store
// (memory or Redis, so that every instance can answer for it) under a key
// derived from the client_id and the random part of the request_uri: a
// lookup under another client finds nothing, and the store never holds
// the request_uri itself. /authorize takes it once (Store.Take) and goes
// on as with any validated request.
//
// DPoP (RFC 9449 §10.1): Options.Proof checks a DPoP header (the
// provider wires the dpop.Checker in), and the proof's key thumbprint
// becomes the pushed request's dpop_jkt, to which the code is bound; a
// dpop_jkt that names another key is refused.
package par
