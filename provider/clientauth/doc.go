// Package clientauth owns client authentication at the token endpoint and
// at the endpoints that authenticate clients the same way (introspection,
// revocation): client_secret_basic and client_secret_post (RFC 6749
// §2.3.1), client_secret_jwt and private_key_jwt (RFC 7523 §2.2 and §3,
// RFC 7521 §4.2, OpenID Connect Core §9), and none for public clients.
//
// Authenticator.Authenticate takes the request's headers and its parsed
// body and returns the client or an *oauth.Error; Authenticator.WriteError
// writes such an error with the challenge RFC 6749 §5.2 asks for.
//
// # Rules
//
//   - A request uses exactly one method: the Authorization header, a
//     client_secret in the body, or a client assertion. Two at once is
//     invalid_request (RFC 6749 §2.3). With none of them, a client_id in
//     the body asks for method none; without even that, the answer is
//     invalid_client.
//   - The method used must be the one the client registered
//     (token_endpoint_auth_method, client_secret_basic when absent, RFC 7591
//     §2), and one the server enables (op.token.authMethods). A public
//     client cannot be impersonated by leaving credentials out, and a
//     confidential one cannot switch to a weaker method.
//   - Basic credentials are form-urlencoded before they are base64-encoded
//     (RFC 6749 §2.3.1), so both halves are unescaped after splitting at
//     the first colon: "a%3Ab" is the client "a:b", and "+" is a space.
//   - Secrets are checked through secrets.Verifier.CheckClient: the current
//     secret unless it has expired, the previous one during its rollover
//     window, with the verifier's cache and its bound on concurrent hashing.
//   - client_secret_jwt assertions are HMACs keyed with the client's
//     recoverable secrets, current first then the previous one in its
//     window; the algorithm is the registered
//     token_endpoint_auth_signing_alg, HS256 when none is registered, since
//     a generated secret is only sure to be long enough for that
//     (RFC 7518 §3.2). private_key_jwt assertions use the registered
//     algorithm or, when none is registered, any RS, PS, ES or EdDSA algorithm;
//     never none and never HS. Keys come from the client's jwks, or from its
//     jwks_uri, fetched again once when the assertion names a key id the
//     cached set does not hold, or names none and no key verifies it (the
//     fetcher bounds how often that happens).
//   - Assertion claims: iss and sub are both the client_id (and so is the
//     client_id parameter, when given); aud, a string or an array, names
//     the issuer, the token endpoint or another configured endpoint; exp is
//     required, in the future, and at most MaxAssertionLifetime (5 minutes
//     by default) away from now and from iat; nbf and iat may lie at most
//     30 seconds in the future; jti is required and used once.
//   - A client_id or client_secret longer than any client can have
//     (oauth.MaxClientID, oauth.MaxClientSecret) is refused as an unknown
//     client or a wrong secret before the directory is asked.
//   - Failures are invalid_client with a description fit for clients.
//     Every failure that depends on the client's entry — unknown client,
//     another registered method, wrong secret, wrong key or algorithm — has
//     the same description, so that an outsider learns nothing about which
//     clients exist or how they are registered; the precise reason travels
//     as the error's cause, for the log (oauth.Error.LogValue). Once an
//     assertion's signature has verified, the description says which claim
//     is wrong: only the key holder gets to see it.
//   - invalid_client is 401 with "WWW-Authenticate: Basic realm=..." when
//     the client tried the Authorization header, or whenever
//     client_secret_basic is enabled (RFC 6749 §5.2 lets the server name the
//     schemes it supports). When Basic is off and was not tried the answer
//     is 400: RFC 9110 §15.5.2 allows no 401 without a challenge.
//   - A directory outage (storage.ErrUnavailable), a full or failing replay
//     store and a busy verifier (secrets.ErrBusy) are temporarily_unavailable
//     (503); a stored secret that cannot be read is server_error.
//
// # Replay of assertions
//
// Each accepted jti is recorded under a key derived from the client_id and
// the jti (their SHA-256, so the store holds neither), until the assertion's
// exp plus the clock leeway; a second use in that time is invalid_client.
// A jti is recorded only after the signature and every claim check passed,
// so nobody without the key can use up a client's jti values.
//
// session.KV has no "store if absent". If the Replay store implements
// session.OnceAdder,
// Add does the check and the write in one atomic step, and replay is
// refused across every instance that shares the store. Otherwise the check
// is a Get and then a Put, both under a lock that the Authenticator holds
// per key (striped): within one process no two requests can both find a
// jti absent. Between processes sharing a store without Add there remains
// a window of one round trip in which two instances could both accept the
// same assertion; a shared store should therefore implement OnceAdder (Redis:
// SET key value NX PX ttl). Take cannot close that window: it makes exactly
// one caller win an entry that exists, but a jti seen for the first time
// has no entry to win, and a Put to create one would overwrite the record
// of an earlier use.
package clientauth
