// Package oauth holds the wire types every part of the provider shares: the
// OAuth error with its JSON form, and the client model — Client, and
// Metadata with its RFC 7591 JSON form and language-tagged values. It
// imports only the standard library so that stores and handlers alike can
// use it.
package oauth
