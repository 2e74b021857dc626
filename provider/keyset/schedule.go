package keyset

import (
	"encoding/json"
	"fmt"
	"maps"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Meta is the schedule of one signing key. Every instance of a cluster
// reads the same schedule, so all of them switch to a new key at the same
// moment without talking to each other; only their clocks must agree.
type Meta struct {
	// Created is when the key was made (informational).
	Created time.Time `json:"created,omitzero"`
	// SignsFrom is when the key may start signing. Until then it is only
	// published, so that relying parties that cache our JWKS learn it
	// before they meet a token it signed (the pre-publication period).
	// Zero: from the start.
	SignsFrom time.Time `json:"signsFrom,omitzero"`
	// PublishedUntil is when the key stops being published: set when a
	// newer key supersedes it, to the moment the last token it can have
	// signed expires. Zero: for as long as it is in the set.
	PublishedUntil time.Time `json:"publishedUntil,omitzero"`
}

// fileFormat is the JWK set document as stored: a standard JWK set (RFC
// 7517 §5), which other tools read, with the schedule in an extra member
// that they ignore. A file without it loads with every key active.
type fileFormat struct {
	Keys []jose.JSONWebKey `json:"keys"`
	Meta map[string]Meta   `json:"gatehouse_keys,omitempty"`
}

// Schedule says how a rotation is timed.
type Schedule struct {
	// Now is the moment of the rotation; zero means time.Now.
	Now time.Time
	// PrePublication is how long the new keys are published before they
	// sign: at least as long as instances take to see the new set plus
	// what relying parties may cache /jwks.json for.
	PrePublication time.Duration
	// RetireAfter is how long a superseded key stays published after the
	// new one starts signing: the longest lifetime of a token it signed,
	// plus clock skew. Zero keeps superseded keys published without limit
	// (the behaviour of `keys generate --rotate`).
	RetireAfter time.Duration
}

// RotateAt returns a set with fresh's signing keys in front, signing from
// now + PrePublication, and the keys of s behind them: those already past
// their PublishedUntil are dropped, the others that had no end get one,
// RetireAfter after the new keys start to sign. The secret-encryption key
// of s is kept: stored secrets must stay readable.
func (s *Set) RotateAt(fresh *Set, sc Schedule) *Set {
	now := sc.Now
	if now.IsZero() {
		now = time.Now()
	}
	return s.rotate(fresh, now, now.Add(sc.PrePublication), sc.RetireAfter)
}

// latestStart is the latest SignsFrom of the set: fresh keys that start
// then sign at once, ahead of the others by file order.
func (s *Set) latestStart() time.Time {
	var latest time.Time
	for _, m := range s.meta {
		if m.SignsFrom.After(latest) {
			latest = m.SignsFrom
		}
	}
	return latest
}

func (s *Set) rotate(fresh *Set, now, signsFrom time.Time, retireAfter time.Duration) *Set {
	old := s.Pruned(now)
	meta := make(map[string]Meta, len(old.signing)+len(fresh.signing))
	for _, k := range old.signing {
		m := old.meta[k.KeyID]
		if m.PublishedUntil.IsZero() && retireAfter > 0 {
			m.PublishedUntil = signsFrom.Add(retireAfter)
		}
		meta[k.KeyID] = m
	}
	for _, k := range fresh.signing {
		meta[k.KeyID] = Meta{Created: now, SignsFrom: signsFrom}
	}
	signing := append(append([]jose.JSONWebKey{}, fresh.signing...), old.signing...)
	out, _ := (&Set{signing: signing, secret: s.secret, meta: compact(meta)}).finish()
	return out
}

// compact drops empty schedules, so that a set never rotated writes the
// same file as before schedules existed.
func compact(meta map[string]Meta) map[string]Meta {
	maps.DeleteFunc(meta, func(_ string, m Meta) bool { return m == Meta{} })
	if len(meta) == 0 {
		return nil
	}
	return meta
}

// Pruned returns the set without the keys whose PublishedUntil has passed
// at now; s itself when there are none. A key that alone signs for an
// algorithm is never dropped by a schedule that a rotation wrote, since
// the newest key of a kind has no end.
func (s *Set) Pruned(now time.Time) *Set {
	var keep []jose.JSONWebKey
	for _, k := range s.signing {
		if !s.expired(k.KeyID, now) {
			keep = append(keep, k)
		}
	}
	if len(keep) == len(s.signing) {
		return s
	}
	meta := maps.Clone(s.meta)
	for _, k := range s.signing {
		if s.expired(k.KeyID, now) {
			delete(meta, k.KeyID)
		}
	}
	out, err := (&Set{signing: keep, secret: s.secret, meta: compact(meta)}).finish()
	if err != nil || out.complete() != nil {
		return s // keep serving rather than lose the last RSA key
	}
	return out
}

func (s *Set) expired(kid string, now time.Time) bool {
	until := s.meta[kid].PublishedUntil
	return !until.IsZero() && !now.Before(until)
}

// SigningKeyAt returns the key that signs for a JWS algorithm at t: of the
// keys that fit alg (RSA for RS* and PS*, EC on the matching curve for
// ES*, Ed25519 for EdDSA) and may sign at t, the one that started last;
// between equals the first in file order, which is newest first.
func (s *Set) SigningKeyAt(alg jose.SignatureAlgorithm, t time.Time) (jose.JSONWebKey, bool) {
	best, bestFrom := -1, time.Time{}
	for i, k := range s.signing {
		m := s.meta[k.KeyID]
		if !keyFits(k, alg) || m.SignsFrom.After(t) || s.expired(k.KeyID, t) {
			continue
		}
		if best < 0 || m.SignsFrom.After(bestFrom) {
			best, bestFrom = i, m.SignsFrom
		}
	}
	if best < 0 {
		return jose.JSONWebKey{}, false
	}
	return s.signing[best], true
}

// Schedule returns the schedule of the key kid (zero for none).
func (s *Set) Schedule(kid string) Meta { return s.meta[kid] }

// KeyIDs lists the kids of the signing keys in file order.
func (s *Set) KeyIDs() []string {
	out := make([]string, len(s.signing))
	for i, k := range s.signing {
		out[i] = k.KeyID
	}
	return out
}

// PublicKey returns the published public key kid. Verifiers accept every
// key of the set, not only those signing now, so that tokens outlive a
// rotation.
func (s *Set) PublicKey(kid string) (jose.JSONWebKey, bool) {
	for _, k := range s.public {
		if k.KeyID == kid {
			return k, true
		}
	}
	return jose.JSONWebKey{}, false
}

// PublicKeys returns the published public keys; the slice is shared and
// must not be modified.
func (s *Set) PublicKeys() []jose.JSONWebKey { return s.public }

// PublicJSON returns the JWK set document of /jwks.json, computed once
// per set.
func (s *Set) PublicJSON() []byte { return s.publicJSON }

// Current returns s: a fixed Set is its own key source (see Live).
func (s *Set) Current() *Set { return s }

// finish fills the caches of a newly built set.
func (s *Set) finish() (*Set, error) {
	s.public = make([]jose.JSONWebKey, 0, len(s.signing))
	for _, k := range s.signing {
		s.public = append(s.public, k.Public())
	}
	doc, err := json.MarshalIndent(jose.JSONWebKeySet{Keys: s.public}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("public keys: %w", err)
	}
	s.publicJSON = doc
	return s, nil
}
