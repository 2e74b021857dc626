package mfa

import (
	"context"
	"slices"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// The acr values Gatehouse produces (OpenID Connect Core §2), from the
// weakest: a password alone; a password and a second factor; a
// phishing-resistant factor (a passkey).
const (
	ACRPassword          = "urn:gatehouse:acr:pwd"
	ACRMFA               = "urn:gatehouse:acr:mfa"
	ACRPhishingResistant = "urn:gatehouse:acr:phr"
)

// SupportedACRValues are the values for acr_values_supported: those a
// sign-in here can reach (phr only where passkeys are served).
func SupportedACRValues() []string { return []string{ACRPassword, ACRMFA} }

// NeedsPasskey reports whether a request asking for acrValues needs a
// passkey of a session signed in at acr: the weakest value it names that
// Gatehouse knows is phr, which no one-time code reaches.
func NeedsPasskey(acrValues []string, acr string) bool {
	return weakestKnown(acrValues) == level(ACRPhishingResistant) && level(acr) < level(ACRPhishingResistant)
}

// level orders acr values; an unknown value is 0, below every sign-in.
func level(acr string) int {
	switch acr {
	case ACRPassword:
		return 1
	case ACRMFA:
		return 2
	case ACRPhishingResistant:
		return 3
	}
	return 0
}

// Modes of op.authn.secondFactor.
const (
	ModeOff      = "off"      // never asked, whatever a client asks for
	ModeOptional = "optional" // asked of those who enrolled one, and when a client asks
	ModeRequired = "required" // asked of everyone; enrolled at sign-in when missing
)

// PolicyConfig is op.authn.
type PolicyConfig struct {
	// Mode is op.authn.secondFactor; empty means ModeOptional.
	Mode string
	// Groups are op.authn.secondFactorGroups: their members must use a
	// second factor as if Mode were required.
	Groups []string
	// GroupsOf reads a person's group names; needed with Groups.
	GroupsOf func(ctx context.Context, subject string) ([]string, error)
	// Passkeys: passkeys are served (package passkey), so phr can be
	// reached and is announced.
	Passkeys bool
}

// Policy decides whether a sign-in is strong enough for a request.
type Policy struct {
	cfg   PolicyConfig
	store Store
}

// NewPolicy returns the policy over the people's authenticators.
func NewPolicy(cfg PolicyConfig, store Store) *Policy {
	if cfg.Mode == "" {
		cfg.Mode = ModeOptional
	}
	return &Policy{cfg: cfg, store: store}
}

// BaseACR is the acr of a session signed in with a password alone.
func (p *Policy) BaseACR() string { return ACRPassword }

// SupportedACRValues lists what discovery announces; none when off.
func (p *Policy) SupportedACRValues() []string {
	if p.cfg.Mode == ModeOff {
		return nil
	}
	if p.cfg.Passkeys {
		return append(SupportedACRValues(), ACRPhishingResistant)
	}
	return SupportedACRValues()
}

// Needed reports whether a session of subject, signed in at acr, must be
// stepped up with a second factor before a request asking for acrValues
// (the request's acr_values, or the client's default_acr_values) goes on.
//
// acr_values are voluntary in OpenID Connect Core §3.1.2.1, but a client
// that names one of ours is taken at its word: the sign-in must reach the
// weakest of the values named that Gatehouse knows.
func (p *Policy) Needed(ctx context.Context, acrValues []string, subject, acr string) (bool, error) {
	if p.cfg.Mode == ModeOff {
		return false, nil
	}
	// Checked before the early return below: a session with a one-time
	// code still falls short of a request for phr.
	if want := p.weakestReachable(acrValues); want > level(acr) {
		return true, nil
	}
	if level(acr) >= level(ACRMFA) {
		return false, nil
	}
	if p.cfg.Mode == ModeRequired {
		return true, nil
	}
	if len(p.cfg.Groups) > 0 && p.cfg.GroupsOf != nil {
		groups, err := p.cfg.GroupsOf(ctx, subject)
		if err != nil {
			return false, err
		}
		if slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(p.cfg.Groups, g) }) {
			return true, nil
		}
	}
	list, err := p.store.List(ctx, subject)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(list, isSecondFactor), nil
}

// weakestReachable is weakestKnown, capped at what a sign-in here can
// reach: without passkeys a request for phr is met by a one-time code
// (as before passkeys existed) rather than asking forever.
func (p *Policy) weakestReachable(values []string) int {
	want := weakestKnown(values)
	if !p.cfg.Passkeys {
		want = min(want, level(ACRMFA))
	}
	return want
}

// weakestKnown is the lowest level among the acr values Gatehouse knows;
// 0 when it knows none of them.
func weakestKnown(values []string) int {
	lowest := 0
	for _, v := range values {
		if l := level(v); l > 0 && (lowest == 0 || l < lowest) {
			lowest = l
		}
	}
	return lowest
}

// isSecondFactor: recovery codes alone do not make someone enrolled.
func isSecondFactor(a oauth.Authenticator) bool {
	return a.Kind == oauth.AuthenticatorTOTP || a.Kind == oauth.AuthenticatorPasskey
}

// ReauthAfter is how old a sign-in may be for changes to a person's
// sign-in methods (the account page, adding a passkey from it) without
// signing in again.
const ReauthAfter = 5 * time.Minute

// Fresh: a sign-in at authTime is recent enough at now to change sign-in
// methods, within the given age (ReauthAfter when 0 or less).
func Fresh(now, authTime time.Time, within time.Duration) bool {
	if within <= 0 {
		within = ReauthAfter
	}
	age := now.Sub(authTime)
	return age >= 0 && age <= within
}
