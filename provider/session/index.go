package session

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// MaxSessionsPerSubject bounds the sessions one person holds at once, so
// that their index stays small: a sign-in past it ends their oldest one.
const MaxSessionsPerSubject = 50

// maxUserAgent bounds the User-Agent kept with a session, in bytes.
const maxUserAgent = 256

// indexPrefix starts the key of a person's index of sessions: the
// sessions are stored under a hash of their cookie, which cannot be
// found from the person, so each person has one more entry listing theirs.
const indexPrefix = "sessidx:"

// indexEntry is one session in a person's index. Ref is the hash of the
// cookie that names the session's entries; the cookie itself is never
// kept, and Ref never leaves the server (pages name a session by SID).
type indexEntry struct {
	Ref     string    `json:"ref"`
	SID     string    `json:"sid"`
	Created time.Time `json:"created"`
}

// indexKey is the key of subject's index: a hash, so that a subject of
// any length or alphabet makes a short key.
func indexKey(subject string) string {
	sum := sha256.Sum256([]byte(subject))
	return indexPrefix + base64.RawURLEncoding.EncodeToString(sum[:])
}

// refOf is the part of a session's keys that follows their prefix.
func refOf(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// indexed is the store as a Modifier, or nil when it cannot keep indexes
// (a KV of a test): sessions then work, but cannot be listed.
func (ss *Sessions) indexed() Modifier {
	m, _ := ss.kv.(Modifier)
	return m
}

// indexAdd lists s in its person's index, dropping entries that must have
// expired, and past MaxSessionsPerSubject the oldest, whose sessions are
// then ended and handed to the OnEvicted function (evict.go), so that
// their clients hear of it as of any other session ended by the server.
func (ss *Sessions) indexAdd(ctx context.Context, s Session) error {
	m := ss.indexed()
	if m == nil {
		return nil
	}
	now := ss.now()
	var evicted []indexEntry
	err := m.Modify(ctx, indexKey(s.Subject), ss.lifetime, func(old []byte, _ bool) ([]byte, error) {
		list := decodeIndex(old)
		list = slices.DeleteFunc(list, func(e indexEntry) bool { return !now.Before(e.Created.Add(ss.lifetime)) })
		list = append(list, indexEntry{Ref: refOf(s.ID), SID: s.SID, Created: s.Created})
		evicted = nil
		if over := len(list) - MaxSessionsPerSubject; over > 0 {
			slices.SortStableFunc(list, func(a, b indexEntry) int { return a.Created.Compare(b.Created) })
			evicted = slices.Clone(list[:over])
			list = list[over:]
		}
		return json.Marshal(list)
	})
	if err != nil {
		return err
	}
	return ss.evict(ctx, s.Subject, evicted)
}

// indexRemove takes the sessions with the given refs out of subject's
// index; an index left empty is deleted.
func (ss *Sessions) indexRemove(ctx context.Context, subject string, refs ...string) error {
	m := ss.indexed()
	if m == nil || len(refs) == 0 {
		return nil
	}
	return m.Modify(ctx, indexKey(subject), ss.lifetime, func(old []byte, found bool) ([]byte, error) {
		if !found {
			return nil, nil
		}
		list := slices.DeleteFunc(decodeIndex(old), func(e indexEntry) bool { return slices.Contains(refs, e.Ref) })
		if len(list) == 0 {
			return nil, nil
		}
		return json.Marshal(list)
	})
}

// decodeIndex reads an index; one that cannot be read is empty (it only
// ever lists, it holds no secret and no decision).
func decodeIndex(raw []byte) []indexEntry {
	var list []indexEntry
	if len(raw) > 0 && json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return list
}

// ErrNoIndex is returned by ListBySubject and the End methods when the
// store cannot keep a per-person index.
var ErrNoIndex = errors.New("session: this store keeps no index of sessions by person")

// ListBySubject returns subject's live sessions, the most recently used
// first, each with ID empty (the cookie is not kept) and LastSeen set.
// Entries of sessions that ended meanwhile are dropped from the index.
func (ss *Sessions) ListBySubject(ctx context.Context, subject string) ([]Session, error) {
	entries, err := ss.indexOf(ctx, subject)
	if err != nil {
		return nil, err
	}
	var live []Session
	var gone []string
	for _, e := range entries {
		s, err := ss.byRef(ctx, e.Ref)
		switch {
		case errors.Is(err, storage.ErrNotFound), err == nil && s.Subject != subject:
			gone = append(gone, e.Ref)
		case err != nil:
			return nil, err
		default:
			live = append(live, s)
		}
	}
	if err := ss.indexRemove(ctx, subject, gone...); err != nil {
		return nil, err
	}
	slices.SortStableFunc(live, func(a, b Session) int { return b.LastSeen.Compare(a.LastSeen) })
	return live, nil
}

// byRef reads a session by the hash of its cookie (Get is byRef of the
// cookie's hash); ID stays empty, since the cookie is not kept.
func (ss *Sessions) byRef(ctx context.Context, ref string) (Session, error) {
	seen, err := ss.kv.Get(ctx, seenPrefix+ref)
	if err != nil {
		return Session{}, err
	}
	raw, err := ss.kv.Get(ctx, sessionPrefix+ref)
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal(raw, &s); err != nil {
		return Session{}, malformed("session", err)
	}
	if err := s.LastSeen.UnmarshalText(seen); err != nil {
		return Session{}, malformed("session", err)
	}
	// The store's own expiry should have dropped the entries; check anyway,
	// so that a store with coarse expiry cannot extend a session.
	now := ss.now()
	if !now.Before(s.Created.Add(ss.lifetime)) || !now.Before(s.LastSeen.Add(ss.idle)) {
		return Session{}, storage.ErrNotFound
	}
	return s, nil
}

// deleteRef removes a session's entries by the hash of its cookie.
func (ss *Sessions) deleteRef(ctx context.Context, ref string) error {
	if err := ss.kv.Delete(ctx, seenPrefix+ref); err != nil {
		return err
	}
	return ss.kv.Delete(ctx, sessionPrefix+ref)
}

// EndBySID ends subject's session named sid and returns it, for the
// logout of its clients; storage.ErrNotFound when subject has no such
// live session.
func (ss *Sessions) EndBySID(ctx context.Context, subject, sid string) (Session, error) {
	ended, err := ss.end(ctx, subject, func(s Session) bool { return s.SID == sid })
	if err != nil {
		return Session{}, err
	}
	if len(ended) == 0 {
		return Session{}, fmt.Errorf("session %q: %w", sid, storage.ErrNotFound)
	}
	return ended[0], nil
}

// EndAll ends every live session of subject but the one named except
// (none when empty) and returns them, for the logout of their clients.
func (ss *Sessions) EndAll(ctx context.Context, subject, except string) ([]Session, error) {
	return ss.end(ctx, subject, func(s Session) bool { return except == "" || s.SID != except })
}

func (ss *Sessions) end(ctx context.Context, subject string, pick func(Session) bool) ([]Session, error) {
	entries, err := ss.indexOf(ctx, subject)
	if err != nil {
		return nil, err
	}
	var ended []Session
	var refs []string
	for _, e := range entries {
		s, err := ss.byRef(ctx, e.Ref)
		if errors.Is(err, storage.ErrNotFound) {
			refs = append(refs, e.Ref)
			continue
		}
		if err != nil {
			return ended, err
		}
		if s.Subject != subject || !pick(s) {
			continue
		}
		if err := ss.deleteRef(ctx, e.Ref); err != nil {
			return ended, err
		}
		ended, refs = append(ended, s), append(refs, e.Ref)
	}
	return ended, ss.indexRemove(ctx, subject, refs...)
}

// truncateUTF8 cuts s to at most n bytes, on a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// indexOf reads subject's index entries: none when there is no index
// entry yet, ErrNoIndex when the store keeps no index.
func (ss *Sessions) indexOf(ctx context.Context, subject string) ([]indexEntry, error) {
	if ss.indexed() == nil {
		return nil, ErrNoIndex
	}
	raw, err := ss.kv.Get(ctx, indexKey(subject))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return decodeIndex(raw), nil
}
