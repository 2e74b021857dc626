package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Defaults for NewSessions (sessions.lifetime, sessions.idleTimeout).
const (
	DefaultLifetime    = 8 * time.Hour
	DefaultIdleTimeout = 30 * time.Minute
)

// Session is a person signed in with one browser.
type Session struct {
	// ID is the cookie value: 256 random bits, base64url. It is a bearer
	// secret and never leaves the cookie; the store keeps only its hash.
	ID string `json:"-"`
	// SID names the session in tokens (the sid claim, logout): 128
	// random bits, base64url, unrelated to ID.
	SID string `json:"sid"`
	// Subject is the person's sub.
	Subject string `json:"sub"`
	// AuthTime is when the person last authenticated (auth_time).
	AuthTime time.Time `json:"auth_time"`
	// ACR and AMR describe how (acr, amr claims).
	ACR string   `json:"acr"`
	AMR []string `json:"amr"`
	// Created starts the absolute lifetime; LastSeen the idle timeout.
	// LastSeen moves only through Touch.
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"-"`
	// Clients are the ids of the clients that got tokens in this session,
	// to be told at logout.
	Clients []string `json:"clients"`
	// UserAgent is the browser's User-Agent at sign-in (at most 256
	// bytes), to tell sessions apart on the account page.
	UserAgent string `json:"ua,omitempty"`
}

// ErrSubjectChanged is returned by Update for a session that would change
// hands: a sign-in as someone else starts a new session, with a new cookie.
var ErrSubjectChanged = errors.New("session: subject cannot change")

// Sessions keeps browser sessions in a KV, each ending at whichever comes
// first: Created plus the lifetime, or LastSeen plus the idle timeout.
//
// A session is two entries: the record (key "session:"+hash of ID) lives
// until the absolute end, and a small liveness entry ("seen:"+hash of ID,
// holding LastSeen) lives for the idle timeout and is renewed by Touch. A
// session exists only while both do. Touch thus never rewrites the record,
// and cannot undo a concurrent Update. Two concurrent Updates of the same
// session are last-writer-wins: KV has no compare-and-swap.
type Sessions struct {
	kv             KV
	lifetime, idle time.Duration
	now            func() time.Time
	onEvicted      EvictedFunc
}

// NewSessions returns the sessions kept in kv. A lifetime or idleTimeout
// of 0 or less takes its default; an idle timeout longer than the lifetime
// is the lifetime. A nil clock means time.Now.
func NewSessions(kv KV, lifetime, idleTimeout time.Duration, clock func() time.Time) *Sessions {
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	if idleTimeout <= 0 {
		idleTimeout = DefaultIdleTimeout
	}
	return &Sessions{kv: kv, lifetime: lifetime, idle: min(idleTimeout, lifetime), now: clockOrNow(clock)}
}

const (
	sessionPrefix = "session:"
	seenPrefix    = "seen:"
)

// Create stores s as a new session with a fresh ID and SID, Created and
// LastSeen now, and AuthTime now unless given, and returns it.
func (ss *Sessions) Create(ctx context.Context, s Session) (Session, error) {
	now := ss.now()
	s.ID, s.SID = randomID(32), randomID(16)
	s.Created, s.LastSeen = now, now
	if s.AuthTime.IsZero() {
		s.AuthTime = now
	}
	s.UserAgent = truncateUTF8(s.UserAgent, maxUserAgent)
	if err := ss.putRecord(ctx, s, ss.lifetime); err != nil {
		return Session{}, err
	}
	if err := ss.putSeen(ctx, s.ID, now, min(ss.idle, ss.lifetime)); err != nil {
		_ = ss.kv.Delete(ctx, hashedKey(sessionPrefix, s.ID)) // unreachable without its liveness entry anyway
		return Session{}, err
	}
	if err := ss.indexAdd(ctx, s); err != nil {
		// Unlisted, it could not be ended from the account page: better
		// no session at all.
		_ = ss.deleteRef(ctx, refOf(s.ID))
		return Session{}, err
	}
	return s, nil
}

// Get returns the live session with the given ID, or storage.ErrNotFound.
func (ss *Sessions) Get(ctx context.Context, id string) (Session, error) {
	if id == "" {
		return Session{}, storage.ErrNotFound
	}
	s, err := ss.byRef(ctx, refOf(id))
	if err != nil {
		return Session{}, err
	}
	s.ID = id
	return s, nil
}

// Touch records activity now: the idle timeout starts again, but never
// reaches past the absolute lifetime.
func (ss *Sessions) Touch(ctx context.Context, id string) error {
	s, err := ss.Get(ctx, id)
	if err != nil {
		return err
	}
	now := ss.now()
	ttl := min(ss.idle, s.Created.Add(ss.lifetime).Sub(now))
	if ttl <= 0 {
		return storage.ErrNotFound
	}
	return ss.putSeen(ctx, id, now, ttl)
}

// Update replaces the stored session s.ID with s. ID, SID, Created and
// LastSeen stay as stored; a different Subject is ErrSubjectChanged.
func (ss *Sessions) Update(ctx context.Context, s Session) error {
	old, err := ss.Get(ctx, s.ID)
	if err != nil {
		return err
	}
	if s.Subject != old.Subject {
		return ErrSubjectChanged
	}
	s.SID, s.Created = old.SID, old.Created
	remaining := s.Created.Add(ss.lifetime).Sub(ss.now())
	if remaining <= 0 {
		return storage.ErrNotFound
	}
	return ss.putRecord(ctx, s, remaining)
}

// Delete ends the session; one that does not exist is not an error.
func (ss *Sessions) Delete(ctx context.Context, id string) error {
	if id == "" {
		return nil
	}
	// The record is read for its person's index; without one (gone, or
	// unreadable) there is nothing to take out of it.
	var s Session
	raw, err := ss.kv.Get(ctx, hashedKey(sessionPrefix, id))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err == nil {
		_ = json.Unmarshal(raw, &s)
	}
	// The liveness entry first: without it the session is gone, whatever
	// happens to the record.
	if err := ss.kv.Delete(ctx, hashedKey(seenPrefix, id)); err != nil {
		return err
	}
	if err := ss.kv.Delete(ctx, hashedKey(sessionPrefix, id)); err != nil {
		return err
	}
	if s.Subject == "" {
		return nil
	}
	return ss.indexRemove(ctx, s.Subject, refOf(id))
}

func (ss *Sessions) putRecord(ctx context.Context, s Session, ttl time.Duration) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("session: encode: %w", err)
	}
	return ss.kv.Put(ctx, hashedKey(sessionPrefix, s.ID), raw, ttl)
}

func (ss *Sessions) putSeen(ctx context.Context, id string, at time.Time, ttl time.Duration) error {
	raw, err := at.MarshalText()
	if err != nil {
		return fmt.Errorf("session: encode: %w", err)
	}
	return ss.kv.Put(ctx, hashedKey(seenPrefix, id), raw, ttl)
}
