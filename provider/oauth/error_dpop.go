package oauth

import "net/http"

// Errors of DPoP (RFC 9449 §5, §7.1, §8, §9). At the token endpoint both
// are 400 JSON answers; a protected resource answers them with 401 and a
// DPoP challenge instead (WithStatus).

// ErrInvalidDPoPProof: the DPoP proof is missing where it is required,
// malformed, or fails a check.
func ErrInvalidDPoPProof() *Error { return newError("invalid_dpop_proof", http.StatusBadRequest) }

// ErrUseDPoPNonce: the proof must carry the nonce the server provides in
// the DPoP-Nonce header of the answer.
func ErrUseDPoPNonce() *Error { return newError("use_dpop_nonce", http.StatusBadRequest) }
