package logout

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"
)

// Job is the notice to one client that one session ended.
type Job struct {
	ID       string `json:"id"`
	ClientID string `json:"client_id"`
	Subject  string `json:"sub"`
	SID      string `json:"sid"`
	// Attempts counts the deliveries tried so far.
	Attempts int `json:"attempts"`
	// RefreshEnded: the session's refresh tokens for the client are
	// already ended, so a retry only delivers.
	RefreshEnded bool      `json:"refresh_ended,omitempty"`
	Enqueued     time.Time `json:"enqueued"`
}

// ErrEmpty is Take's answer when no job is due.
var ErrEmpty = errors.New("logout: no job due")

// Queue holds jobs until a worker has done them. Implementations are safe
// for concurrent use, by several processes where they are shared.
type Queue interface {
	// Push adds j, due at once.
	Push(ctx context.Context, j Job) error
	// Take leases the job due first for lease: until Done or Retry, or
	// the lease runs out, no one else takes it. ErrEmpty when none is due.
	Take(ctx context.Context, lease time.Duration) (Job, error)
	// Retry puts a leased job back, changed, due at at. A job whose lease
	// ran out (and may have been taken by another worker) is left alone.
	Retry(ctx context.Context, j Job, at time.Time) error
	// Done ends a leased job.
	Done(ctx context.Context, j Job) error
}

// newJobID returns 128 random bits, base64url.
func newJobID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
