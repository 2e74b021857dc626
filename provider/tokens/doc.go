// Package tokens owns the JWTs the provider issues and later reads back:
// ID tokens (OpenID Connect Core §2), access tokens (RFC 9068) and the
// id_token_hint of RP-initiated logout. Minter mints and checks them; it
// knows nothing of HTTP, grants or storage, and asks its caller for the
// client, the claims and the client's recoverable secrets.
//
// # ID tokens
//
//   - Claims: iss, sub, aud (the client_id, as a string), exp, iat, azp
//     (the client_id), and, when given, auth_time, nonce, acr, amr, sid,
//     at_hash and c_hash. User claims come after them and never replace
//     one of these or another registered JWT claim (nbf, jti, cnf, s_hash
//     included): a directory attribute mapped to "nonce" must not pose as
//     one. They are dropped, not refused.
//   - Lifetime: Options.IDTokenLifetime, one hour by default. An ID token
//     is read once, when the client signs the person in; the hour only
//     bounds how long a stolen one could be replayed to a careless client.
//   - Signature: the client's id_token_signed_response_alg, RS256 when it
//     registered none. RS* and PS* use the key set's current RSA key, ES*
//     its current EC key on the matching curve (ES384 and ES512 fail with a
//     clear error when the set has no P-384 or P-521 key); the header names
//     the key (kid). HS256/384/512 use the client's current secret as the
//     key (Core §10.1), which must be at least as long as the hash
//     (RFC 7518 §3.2): 32, 48 or 64 bytes. "none" is never issued.
//   - Encryption, when the client registered id_token_encrypted_response_alg
//     (its _enc defaulting to A128CBC-HS256): signed first, then encrypted,
//     as a nested JWT with cty "JWT" (Core §16.14). RSA-OAEP-256, RSA-OAEP,
//     RSA1_5 and ECDH-ES(+A128KW/A192KW/A256KW) encrypt to a public key of
//     the client, from its jwks or jwks_uri: the first key in the set whose
//     type fits, whose use is "enc" or absent and whose alg is the algorithm
//     or absent, preferring an exact alg, then an explicit use, then set
//     order, so the same key is picked every time; RSA keys under 2048 bits
//     are skipped. The set behind jwks_uri is fetched again once when it has
//     no fitting key. dir, A128KW, A192KW and A256KW use a key derived from
//     the client's current secret (Core §10.2).
//   - at_hash and c_hash: the left half of the hash of the value's ASCII
//     octets, with the hash of the JWS algorithm (Core §3.1.3.6, §3.3.2.11).
//
// Secure is the signing and encryption step on its own, for UserInfo
// responses and JWT-secured authorization responses.
//
// # Access tokens
//
// Access tokens are JWTs per RFC 9068: typ "at+jwt", RS256 with the current
// RSA key, claims iss, exp, aud, sub, client_id, iat, jti (128 random bits),
// scope, and auth_time and cnf when given. aud is the resource the client
// asked for, else Options.DefaultAudience, else the issuer. sub is the
// client_id when no person is involved (client_credentials; RFC 9068 §2.2).
// The lifetime is AccessToken.Lifetime, else Options.AccessTokenLifetime,
// ten minutes by default: a JWT stays usable at resource servers that check
// it locally until it expires, whatever revocation says.
//
// ParseAccessToken accepts only RS256 tokens with typ at+jwt (or
// application/at+jwt, RFC 9068 §4), so an ID token or any other JWT of ours
// is not taken for an access token; the key is looked up by kid among all
// published keys, so tokens outlive a key rotation for as long as the old
// key stays in the set. exp and iat are checked with 30 seconds of leeway.
// Every failure wraps ErrInvalidToken.
//
// # id_token_hint
//
// CheckIDTokenHint accepts an ID token this server issued (Core §3.1.2.1,
// RP-Initiated Logout 1.0 §2): signed with one of our published keys, or
// with HS* under one of the client's recoverable secrets (the current one or
// the one still in its rollover window) when the client registered that HS
// algorithm. An encrypted hint can only have been encrypted under a key
// derived from the client secret (the server has no encryption keys of its
// own), so it needs the client_id request parameter to find the secret
// (RP-Initiated Logout 1.0 §2, client_id). iss must be ours, iat must not be
// in the future; exp is not checked, as a hint may be expired.
package tokens
