// Package registration owns the client registration endpoints: POST and GET
// /clients and GET, PUT and DELETE /clients/{client_id} (RFC 7591, RFC 7592,
// with Connect2id's conventions), the rules a client's metadata must follow,
// and the life of its secret and registration access token.
//
// It has three parts:
//
//   - the Service: create, read, replace, delete, list and import clients
//     over a ClientStore, choosing, encoding and rotating secrets through
//     package secrets. The HTTP handler and the "gatehouse clients" command
//     both use it.
//   - validate: the metadata rules, each failure an invalid_redirect_uri or
//     invalid_client_metadata error whose description names the member.
//   - the Handler: authorisation (master token or the client's own
//     registration access token), body limits and content type, JSON in and
//     out. Every response carries Cache-Control: no-store.
//
// # Who may do what
//
// The master token (its SHA-256 is configured) may do everything, including
// the members only it may send: preferred_client_id, preferred_client_secret
// and data. A registration access token may read, replace and delete its
// own client's entry, and may not give the client grant types it does not
// have already (beyond those open registration allows, when enabled). With
// open registration anyone may register a client for the authorization_code
// and refresh_token grants.
//
// Registration access tokens are kept as their SHA-256 (hex) only, so they
// appear in the registration response and never again. A token names its
// client after a ".", which lets a token presented for another entry be
// answered 403 rather than 401.
//
// # Secrets on update (PUT)
//
// RFC 7592 §2.2 has the client send its whole metadata. The secret:
//
//   - stays as it is when the request carries neither client_secret nor
//     preferred_client_secret, or carries the current client_secret;
//   - is replaced by a new, generated one when the request carries a
//     client_secret that is not the current one (RFC 7592 §2.2 forbids a
//     secret of the client's choosing, so the value itself is never used);
//   - is set to preferred_client_secret (master token only) when that
//     differs from the current one;
//   - is replaced by a generated one when the new metadata needs a
//     recoverable secret and the current one is a hash, and dropped when the
//     new metadata uses no secret.
//
// A replaced secret stays valid for the rollover window
// (op.reg.secretRolloverWindow): it moves to PreviousSecret with
// PreviousSecretExpiresAt. A legacy plain secret, or one of the wrong kind
// for the new metadata, is re-encoded on any update. A new secret is in the
// response as client_secret; a kept one is not (it may exist only as a hash).
package registration
