// Package jarm makes the JWTs of the JWT Secured Authorization Response
// Mode for OAuth 2.0 (JARM): the authorization response's parameters as
// the claims of one token, signed and perhaps encrypted for the client.
// Its Encoder is what authorize.Writer needs to serve query.jwt,
// fragment.jwt, form_post.jwt and jwt.
package jarm
