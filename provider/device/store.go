package device

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// slowDownStep is how much a slow_down adds to the interval (RFC 8628 §3.5).
const slowDownStep = 5 * time.Second

// Keys in the shared store, each followed by a hash: the store never holds
// a device code, and a user code only as its hash.
const (
	prefixDevice   = "device/code/"     // hash(device code) → pending
	prefixUser     = "device/user/"     // hash(user code) → hash(device code)
	prefixDecision = "device/decision/" // hash(device code) → decision
	prefixPoll     = "device/poll/"     // hash(device code) → poll
)

// pending is a device authorization waiting for the person.
type pending struct {
	ClientID  string    `json:"client_id"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"exp"`
	// Interval is the polling interval the client was given.
	Interval time.Duration `json:"interval"`
}

// decision is what the person said on /device.
type decision struct {
	Allowed  bool      `json:"allowed"`
	Subject  string    `json:"sub,omitempty"`
	AuthTime time.Time `json:"auth_time"`
	ACR      string    `json:"acr,omitempty"`
	AMR      []string  `json:"amr,omitempty"`
	SID      string    `json:"sid,omitempty"`
}

// poll is the client's last poll and the interval it must now keep.
type poll struct {
	Last     time.Time     `json:"last"`
	Interval time.Duration `json:"interval"`
}

// store keeps device authorizations in the session KV, shared by every
// instance. Each entry outlives the authorization (keep), so that a late
// poll is told expired_token rather than "unknown".
type store struct {
	kv       session.KV
	lifetime time.Duration
	interval time.Duration
	now      func() time.Time
}

// adder is a KV that adds a key only when it is absent (session.Redis).
type adder interface {
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

func hashOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// keep is how long entries are kept: past the expiry, so that a late poll
// hears expired_token, not "unknown".
func (s *store) keep() time.Duration { return s.lifetime + max(s.lifetime, 5*time.Minute) }

// start stores a new authorization for clientID and returns its device
// code and user code.
func (s *store) start(ctx context.Context, clientID string, scopes []string) (deviceCode, userCode string, err error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	deviceCode = base64.RawURLEncoding.EncodeToString(b)
	dh := hashOf(deviceCode)
	raw, err := json.Marshal(pending{ClientID: clientID, Scopes: scopes, ExpiresAt: s.now().Add(s.lifetime), Interval: s.interval})
	if err != nil {
		return "", "", err
	}
	if err := s.kv.Put(ctx, prefixDevice+dh, raw, s.keep()); err != nil {
		return "", "", err
	}
	// A user code drawn twice while the first is live would hand one
	// person's approval to another device: draw again.
	for range 5 {
		userCode = newUserCode()
		err = s.addUser(ctx, prefixUser+hashOf(userCode), []byte(dh))
		if !errors.Is(err, storage.ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		return "", "", err
	}
	return deviceCode, userCode, nil
}

// addUser adds key unless it is there: atomically where the store can.
func (s *store) addUser(ctx context.Context, key string, value []byte) error {
	if a, ok := s.kv.(adder); ok {
		return a.Add(ctx, key, value, s.lifetime)
	}
	_, err := s.kv.Get(ctx, key)
	switch {
	case err == nil:
		return storage.ErrAlreadyExists
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return s.kv.Put(ctx, key, value, s.lifetime)
}

// byUserCode finds the pending authorization of a normalised user code:
// storage.ErrNotFound when there is none or it has expired.
func (s *store) byUserCode(ctx context.Context, userCode string) (string, pending, error) {
	dh, err := s.kv.Get(ctx, prefixUser+hashOf(userCode))
	if err != nil {
		return "", pending{}, err
	}
	p, err := s.pending(ctx, string(dh))
	if err != nil {
		return "", pending{}, err
	}
	if !s.now().Before(p.ExpiresAt) {
		return "", pending{}, storage.ErrNotFound
	}
	return string(dh), p, nil
}

// pending reads the authorization under a device code's hash.
func (s *store) pending(ctx context.Context, dh string) (pending, error) {
	raw, err := s.kv.Get(ctx, prefixDevice+dh)
	if err != nil {
		return pending{}, err
	}
	var p pending
	if err := json.Unmarshal(raw, &p); err != nil {
		return pending{}, fmt.Errorf("device: %w: %v", storage.ErrMalformed, err)
	}
	return p, nil
}

// decide records the person's decision. The user code is taken first, so
// that a code is decided once however often its form is posted:
// storage.ErrNotFound when it was decided already or has expired.
func (s *store) decide(ctx context.Context, userCode string, d decision) (pending, error) {
	raw, err := s.kv.Take(ctx, prefixUser+hashOf(userCode))
	if err != nil {
		return pending{}, err
	}
	dh := string(raw)
	p, err := s.pending(ctx, dh)
	if err != nil {
		return pending{}, err
	}
	if !s.now().Before(p.ExpiresAt) {
		return pending{}, storage.ErrNotFound
	}
	enc, err := json.Marshal(d)
	if err != nil {
		return pending{}, err
	}
	return p, s.kv.Put(ctx, prefixDecision+dh, enc, s.keep())
}

// decided returns the decision on a device code's hash, if any.
func (s *store) decided(ctx context.Context, dh string) (decision, bool, error) {
	raw, err := s.kv.Get(ctx, prefixDecision+dh)
	if errors.Is(err, storage.ErrNotFound) {
		return decision{}, false, nil
	}
	if err != nil {
		return decision{}, false, err
	}
	var d decision
	if err := json.Unmarshal(raw, &d); err != nil {
		return decision{}, false, fmt.Errorf("device: %w: %v", storage.ErrMalformed, err)
	}
	return d, true, nil
}

// tooFast records a poll of an undecided code and tells whether it came
// sooner than the interval allows; if so the interval grows by
// slowDownStep for this and every later poll (§3.5). Two polls racing
// may both pass: the interval is advice to an honest client, not a
// security bound.
func (s *store) tooFast(ctx context.Context, dh string, p pending) (bool, error) {
	now := s.now()
	last := poll{Interval: p.Interval}
	raw, err := s.kv.Get(ctx, prefixPoll+dh)
	switch {
	case err == nil:
		if json.Unmarshal(raw, &last) != nil {
			last = poll{Interval: p.Interval}
		}
	case !errors.Is(err, storage.ErrNotFound):
		return false, err
	}
	fast := !last.Last.IsZero() && now.Sub(last.Last) < last.Interval
	if fast {
		last.Interval += slowDownStep
	}
	last.Last = now
	enc, _ := json.Marshal(last)
	return fast, s.kv.Put(ctx, prefixPoll+dh, enc, s.keep())
}

// redeem takes the authorization, so that its tokens are issued once.
func (s *store) redeem(ctx context.Context, dh string) error {
	_, err := s.kv.Take(ctx, prefixDevice+dh)
	if err == nil {
		_ = s.kv.Delete(ctx, prefixPoll+dh) // expires anyway
	}
	return err
}
