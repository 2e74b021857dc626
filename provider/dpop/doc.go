// Package dpop checks DPoP proofs (RFC 9449): the JWTs a client signs with
// a key of its own for each request, so that the tokens bound to that key
// are worthless to anyone who does not hold it.
//
// A Checker validates one request's proof against what the request is
// (its method, the endpoint's URLs, the access token it carries) and hands
// back the key's RFC 7638 thumbprint (jkt) for the caller to bind or
// compare. The token endpoint, the protected resources and the pushed
// authorization endpoint all call the same Check.
//
// # What a proof must be
//
// One DPoP header holding a compact JWS with typ dpop+jwt, an asymmetric
// alg from the configured list, and the public key in jwk (never a private
// or symmetric key); the signature verifies with that key. Its claims: jti
// (at most 64 characters), htm equal to the method, htu equal to one of
// the endpoint's URLs once both are normalised and stripped of query and
// fragment (§4.3), iat within MaxAge in the past and ClockSkew in the
// future, ath the SHA-256 of the access token at resources, and the
// server's nonce when nonces are on.
//
// # Replay
//
// A proof's jti is recorded, with the key's thumbprint, in the shared
// session store for the iat window; a second proof with the same pair is
// refused. With Redis the record is one SET NX, so two instances cannot
// both take it; the memory store serves one instance and takes a lock.
//
// # Nonces
//
// Nonces are stateless: a time slot and an HMAC of it under a key derived
// from the key set's secret key, so every instance that shares the key
// set makes and accepts the same nonces without talking to the others. A
// nonce is good in its slot and the next, NonceLifetime each.
package dpop
