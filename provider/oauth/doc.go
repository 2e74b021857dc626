// Package oauth holds the wire types every part of the provider shares: the
// OAuth error with its JSON form, and protocol constants. It imports only the
// standard library so that stores and handlers alike can use it.
package oauth
