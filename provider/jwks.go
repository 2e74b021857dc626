package provider

import (
	"fmt"
	"time"
)

// DefaultJWKSMaxAge is the Cache-Control max-age of /jwks.json when
// Options.JWKSMaxAge is zero: 15 minutes, as before key rotation at run
// time existed.
const DefaultJWKSMaxAge = 15 * time.Minute

// jwksCacheControl is the Cache-Control of /jwks.json. A relying party
// may keep the document for maxAge, so a new key must be published at
// least that long before it signs: the configuration derives maxAge from
// keys.prePublication (docs/keys.md). Whole seconds, rounded down; zero
// (or a negative maxAge) lets a cache store it, but revalidate every time.
func jwksCacheControl(maxAge time.Duration) string {
	switch {
	case maxAge == 0:
		maxAge = DefaultJWKSMaxAge
	case maxAge < 0:
		maxAge = 0
	}
	return fmt.Sprintf("public, max-age=%d", int64(maxAge/time.Second))
}
