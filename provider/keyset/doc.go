// Package keyset owns the provider's key material: the JWK set file that
// holds the signing keys (RSA and EC, newest first) and the AES key that
// encrypts recoverable client secrets. It creates the file on first start,
// refuses files that are malformed or readable by others, and publishes only
// the public halves of the signing keys.
package keyset
