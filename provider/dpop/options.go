package dpop

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// Defaults of the checks' settings.
const (
	// DefaultMaxAge is how old a proof may be: a proof is made for one
	// request, sent at once.
	DefaultMaxAge = 60 * time.Second
	// DefaultClockSkew is how far ahead of ours a client's clock may run.
	DefaultClockSkew = 5 * time.Second
	// DefaultNonceLifetime is the length of a nonce's time slot.
	DefaultNonceLifetime = 5 * time.Minute
)

// SupportedAlgs are the JWS algorithms a proof may use: asymmetric ones
// only (RFC 9449 §4.2: "MUST NOT be none or an identifier for a symmetric
// algorithm").
func SupportedAlgs() []string {
	return []string{"ES256", "ES384", "ES512", "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
}

// DefaultAlgs are the algorithms accepted unless configured otherwise.
func DefaultAlgs() []string { return []string{"ES256", "EdDSA", "RS256", "PS256"} }

// ReplayStore keeps the used proofs: session.KV implements it; one that
// implements session.OnceAdder (Redis) refuses a replay across instances.
type ReplayStore = session.OnceStore

// Options configure a Checker (op.dpop.*).
type Options struct {
	// Algs are the accepted JWS algorithms; empty means DefaultAlgs.
	Algs []string
	// MaxAge bounds a proof's age by its iat, ClockSkew how far in the
	// future iat may lie; zero means the defaults.
	MaxAge, ClockSkew time.Duration
	// Nonce requires server-provided nonces (§8, §9).
	Nonce bool
	// NonceLifetime is the length of a nonce's slot; zero means
	// DefaultNonceLifetime.
	NonceLifetime time.Duration
	// NonceKey keys the nonces' HMAC, at least 32 bytes; every instance
	// must have the same. Required with Nonce.
	NonceKey []byte
	// Replay remembers used proofs; required.
	Replay ReplayStore
	Now    func() time.Time
}

// Checker validates DPoP proofs. It is safe for concurrent use.
type Checker struct {
	opts   Options
	replay *session.Once
}

// New checks the options and returns a Checker.
func New(o Options) (*Checker, error) {
	if o.Replay == nil {
		return nil, errors.New("dpop: a replay store is required")
	}
	if len(o.Algs) == 0 {
		o.Algs = DefaultAlgs()
	}
	for _, a := range o.Algs {
		if !slices.Contains(SupportedAlgs(), a) {
			return nil, fmt.Errorf("dpop: algorithm %q is not supported", a)
		}
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	if o.ClockSkew <= 0 {
		o.ClockSkew = DefaultClockSkew
	}
	if o.NonceLifetime <= 0 {
		o.NonceLifetime = DefaultNonceLifetime
	}
	if o.Nonce && len(o.NonceKey) < 32 {
		return nil, errors.New("dpop: nonces need a key of at least 32 bytes")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Checker{opts: o, replay: session.NewOnce(o.Replay, replayPrefix)}, nil
}

// Algs are the accepted algorithms, for discovery
// (dpop_signing_alg_values_supported) and the DPoP challenge.
func (c *Checker) Algs() []string { return slices.Clone(c.opts.Algs) }

// NoncesRequired tells whether proofs must carry a server nonce.
func (c *Checker) NoncesRequired() bool { return c.opts.Nonce }
