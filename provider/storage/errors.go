package storage

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound: the entry does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: an entry with that name exists already.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: the entry changed between reading and writing it; read
	// it again and retry.
	ErrConflict = errors.New("changed concurrently")
	// ErrMalformed: one stored entry holds a value that cannot be read.
	// Only that entry is affected.
	ErrMalformed = errors.New("malformed entry")
	// ErrUnavailable: the store itself failed — unreachable, busy, timed
	// out — as opposed to an answer about the data. Answered with 503 or
	// temporarily_unavailable.
	ErrUnavailable = errors.New("directory unavailable")
)

// ErrInactive: the person exists but may no longer sign in — an account
// an administrator disabled, expired or locked, or one the configured
// population no longer includes. It is also ErrNotFound, so that a caller
// that does not know it refuses as it would for a person who was deleted;
// callers that can say more check it first.
var ErrInactive = fmt.Errorf("the person may no longer sign in: %w", ErrNotFound)
