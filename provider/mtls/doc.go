// Package mtls owns the certificate side of mutual-TLS client
// authentication and certificate-bound tokens (RFC 8705): reading the
// client certificate a TLS-terminating proxy passes in a header, the
// x5t#S256 confirmation of a certificate, and matching a certificate
// against a client's registration.
//
// It is pure logic: it reads no configuration, no request and no store.
// The client-authentication code decides where the certificate comes from
// and which method applies.
//
// # Rules
//
//   - FromHeader accepts the forms proxies send: URL-encoded PEM (nginx
//     $ssl_client_escaped_cert), PEM whose newlines became spaces (Apache
//     SSL_CLIENT_CERT), plain PEM, and base64 DER in either alphabet, with
//     or without padding. Only the first certificate is read: the leaf.
//     A header is only as trustworthy as the proxy that sets it; the proxy
//     must overwrite it on every request.
//   - tls_client_auth (RFC 8705 §2.1): the client registered exactly one
//     subject field. tls_client_auth_subject_dn is compared with the
//     certificate's subject as distinguished names (RFC 4517
//     distinguishedNameMatch); the SAN fields are compared with the
//     certificate's subjectAltName entries of the same kind (any one
//     matching is enough). The certificate chain is checked by whoever
//     terminated TLS, or by VerifyChain for the provider's own listener.
//   - self_signed_tls_client_auth (RFC 8705 §2.2): the certificate's public
//     key is one of the client's registered keys, or a key's x5c leaf is
//     the certificate itself. No chain is checked.
//
// # Distinguished names
//
// The registered subject is an RFC 4514 string, most significant RDN last;
// the certificate's subject is read from its DER (RawSubject), most
// significant RDN first, so that attribute types unknown to crypto/x509 are
// kept. RDN order is significant; the attributes of a multi-valued RDN are
// a set. Attribute types are matched by OID: names are case-insensitive and
// numeric OIDs equal their names. String values are compared with
// caseIgnoreMatch semantics (RFC 4518 preparation: case folded, leading
// and trailing spaces removed, inner runs of spaces collapsed, characters
// mapped to nothing or to a space as §2.2 says); Unicode normalisation
// (NFKC) is not applied, so a value must use the same composition as the
// certificate. A '#'-hex value is decoded as BER: a string is compared as
// a string, anything else byte for byte.
package mtls
