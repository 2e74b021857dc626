package load

import "context"

// Scenario is one kind of iteration against the server.
//
// Setup runs once before the measured run (fetching tokens, signing
// users in); Do runs one iteration. Do is called concurrently, but never
// twice at once with the same worker index, so a scenario may keep
// per-worker state (a cookie jar, a refresh-token chain) indexed by it.
// Worker indexes are below Options.Slots().
type Scenario interface {
	Name() string
	Setup(ctx context.Context) error
	Do(ctx context.Context, worker int) Result
}

// Result is the outcome of one iteration.
type Result struct {
	// Err is nil when the iteration did what it should. Otherwise a
	// *StatusError, a *BadAnswerError or the transport's error, which
	// Classify sorts into classes.
	Err error
	// Requests is the number of HTTP requests the iteration made (a code
	// flow makes several); zero counts as one.
	Requests int
}
