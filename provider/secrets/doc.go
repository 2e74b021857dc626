// Package secrets owns the stored form of client secrets: how a secret is
// written to oauthClientSecret, how a presented secret is checked against
// it, and how a recoverable one is read back. It knows nothing of LDAP or
// HTTP; callers hand it strings.
//
// A stored value says which codec made it:
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>
//	    Argon2id PHC string (salt and tag in unpadded standard base64). The
//	    default for new secrets of client_secret_basic and client_secret_post
//	    clients: 16-byte salt, 32-byte tag, cost from the configuration.
//	$argon2i$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>
//	    Argon2i PHC string, verified only (imported hashes are kept as given).
//	$2a$NN$..., $2b$NN$..., $2y$NN$...
//	    BCrypt, as made by htpasswd -B and most libraries; verified only.
//	$aes256gcm$v=1$kid=<kid>$<base64url(nonce || ciphertext || tag)>
//	    A secret that must be recoverable (client_secret_jwt, HS* algorithms,
//	    "dir" encryption): AES-256-GCM under the key set's secret key named by
//	    kid, a random 96-bit nonce, unpadded base64url. The associated data is
//	    "gatehouse client secret", a zero byte and the header
//	    "$aes256gcm$v=1$kid=<kid>", so a ciphertext cannot be replayed under
//	    another purpose, version or key name.
//	anything else
//	    A plain secret written by another server (migration). It is accepted,
//	    compared in constant time, and NeedsReencode reports it so that the
//	    next update rewrites it.
//
// Values that look tagged with a scheme this package does not know — "$id$"
// or an LDAP-style "{SCHEME}" prefix, such as "$6$..." or "{SSHA}..." — are
// refused rather than taken as plain secrets: taking a hash for the secret
// would let anyone who can read the hash authenticate with it.
//
// Stored hashes may come from an import, and so from someone who wants the
// server to burn memory and time. Their cost is bounded before any work is
// done: Argon2 memory at most 1 GiB, at most 100 passes, at most 64 lanes,
// memory × passes at most 4 GiB; BCrypt cost at most 15. The Verifier adds a
// cache of successful checks, collapses concurrent checks of the same
// secret into one run, and bounds the slow checks running (MaxConcurrent)
// and waiting (MaxQueued); beyond that it answers ErrBusy, a
// storage.ErrUnavailable. Each large Argon2 run is followed by a garbage
// collection, so that the memory of secret checks peaks near
// MaxConcurrent × the memory cost instead of piling up between
// collections, and returned to the system once runs have stopped for a
// second (docs/performance.md, "Knobs").
package secrets
