// Package authorize owns the authorization request and its response: Parse
// reads a GET or POST to the authorization endpoint, applies every rule of
// OpenID Connect Core §3.1.2, RFC 6749 §4.1, RFC 7636 (PKCE) and RFC 9101
// (request objects), and returns a Request; Writer.Respond sends the answer
// in the query, the fragment or an auto-submitting form, with the JWT modes
// (JARM) behind the Encoder seam. Sessions, login and consent belong to the
// caller (provider/flow).
//
// # Shown or redirected
//
// Parse's errors are *Failure values. Until the client and the redirect URI
// are certain, an error is shown to the person as a page (Failure.Redirect
// is nil): a malformed request, a missing, repeated or unknown client_id, a
// redirect_uri that is repeated, malformed or not registered, or a missing
// redirect_uri when the client has none or several registered. Every later
// error is redirected with error, error_description, state and iss
// (RFC 9207), in the requested response mode when that is acceptable and in
// the response type's default otherwise.
//
// # Decisions
//
//   - Redirect URIs match as exact strings. For native clients
//     (application_type native) an http URI on 127.0.0.1 or [::1] matches
//     whatever its port (RFC 8252 §7.3); "localhost" does not get this.
//   - A missing redirect_uri is allowed when the client registered exactly
//     one (RFC 6749 §3.1.2.3), which is then used. An OpenID Connect request
//     (scope openid) must name it (Core §3.1.2.1): it gets invalid_request,
//     sent to that one registered URI.
//   - Any parameter given more than once is invalid_request; one given with
//     an empty value counts as absent (RFC 6749 §3.1).
//   - Every parameter has a length limit (oauth's limits table,
//     docs/limits.md), checked before anything is looked up: a query or
//     body over 64 KiB is shown as a bad request; a client_id over the limit
//     is an unknown client and a redirect_uri over it a bad one, both shown;
//     any other parameter over its limit is invalid_request, redirected,
//     and an overlong state is then not echoed. A request whose JSON form
//     would not fit a pending flow is invalid_request too.
//   - With a request object only its parameters count, client_id aside
//     (RFC 9101 §5 and §6.3), so response_type and scope need not be repeated
//     outside as OpenID Connect Core §6.1 has it; outer values are ignored,
//     not compared. Errors met while getting the object go to the outer
//     redirect_uri (or the only registered one) when it is registered.
//   - Request objects must be signed: with request_object_signing_alg when
//     the client registered one (HS* then uses its secret), else with any of
//     RS*, PS*, ES*; never "none". iss, when present, is the client_id; aud,
//     when present, names the issuer; exp and nbf hold with a minute of
//     leeway; client_id, when present, matches; sub equal to the client_id
//     is refused (RFC 9101 §10.8). Encryption to this server works with keys
//     derived from the client secret (dir, A128KW, A192KW, A256KW; Core
//     §10.2); public-key encryption needs a server encryption key, which the
//     key set does not hold yet, and is refused with a description that says
//     so.
//   - request_uri must be https and registered in request_uris (the same
//     URI, fragment aside, or one below a registered URI whose path ends in
//     "/"). Pushed authorization requests (urn:ietf:params:oauth:request_uri:)
//     are not offered yet.
//   - PKCE is S256 only; plain, also the default when the method is absent,
//     is refused. It is required for public clients (auth method none) and,
//     with Config.RequirePKCE, for everyone.
//   - nonce is required in OpenID Connect requests whose response type
//     returns tokens from the authorization endpoint (implicit and hybrid).
//   - A response type with id_token needs the openid scope. When a client
//     registered scope values, it may ask for those (and openid) only.
//   - The response types served by default are code, "code id_token" and
//     id_token; those with token are served only when configured.
//   - select_account is treated as login (Request.ForceLogin).
//   - max_age and acr_values fall back to the client's default_max_age and
//     default_acr_values.
//
// # Responses
//
// Respond adds iss to every response. query keeps the redirect URI's own
// query; fragment replaces any fragment; form_post writes a small page whose
// Content-Security-Policy replaces the provider's strict one, allowing the
// submit script by its hash and form submission to the redirect URI's
// origin. A JWT mode turns the parameters into one "response" parameter
// through Writer.JWT; without an encoder Respond refuses JWT modes with
// ErrJWTModeUnavailable, and Writer.ServedModes keeps them out of the
// configuration Parse sees.
package authorize
