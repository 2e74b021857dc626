package session

import (
	"context"
	"errors"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// EvictedFunc hears of a session that Create ended to keep its person
// under MaxSessionsPerSubject. Unlike an expiry, an eviction is the
// server ending a live session, so its clients are owed a logout, as
// when the person or an administrator ends it. s is the record as it
// was read just before it was deleted. err is set when the record could
// not be read (the session is ended all the same): s then holds only
// Subject and SID, from the index, and not the clients to tell.
//
// The function must not fail the sign-in that caused the eviction: it
// logs and records its own failures and returns nothing.
type EvictedFunc func(ctx context.Context, s Session, err error)

// OnEvicted sets the function told of evicted sessions (nil: none). Set
// it while wiring the server, before the sessions are used: it is read
// without a lock.
func (ss *Sessions) OnEvicted(f EvictedFunc) { ss.onEvicted = f }

// evict ends the sessions that indexAdd pushed out of subject's index:
// each record is read for its clients before its entries are deleted,
// and then handed to the OnEvicted function. A session that had already
// expired (its liveness entry gone) is deleted without a word, as expiry
// is. Only a failure to delete fails the sign-in, as before: a session
// that could not be ended would live on unlisted.
func (ss *Sessions) evict(ctx context.Context, subject string, entries []indexEntry) error {
	for _, e := range entries {
		s, readErr := ss.byRef(ctx, e.Ref)
		expired := errors.Is(readErr, storage.ErrNotFound)
		if readErr != nil {
			s = Session{Subject: subject, SID: e.SID}
		}
		if err := ss.deleteRef(ctx, e.Ref); err != nil {
			return err
		}
		if ss.onEvicted != nil && !expired {
			ss.onEvicted(ctx, s, readErr)
		}
	}
	return nil
}
