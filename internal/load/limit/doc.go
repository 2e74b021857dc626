// Package limit is the load generator's yardstick: the least a token
// endpoint can do. Its Handler answers only POST /token with
// grant_type=client_credentials and HTTP Basic client credentials: it
// parses the bounded form, compares the client id and plaintext secret in
// constant time, and signs an access token with the claims Gatehouse puts
// in one (iss, sub, aud, client_id, scope, iat, exp, jti) with RS256 or
// ES256. No directory, no Argon2, no logging, no middleware.
//
// Issue #13 phrased the performance targets as fractions of such a
// server's rate on the same machine (client_credentials near the RS256
// limit; a code flow, which signs two tokens, about 0.37 of it). The
// generator runs it as a separate process (gatehouse-load -serve-limit;
// Start here), so that it does not share the generator's Go runtime, just
// as gatehouse serve does not; then Ratios expresses every scenario's
// rate against it.
package limit
