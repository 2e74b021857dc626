package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
)

// Classes of outcome. An HTTP status the scenario did not expect is
// "http_" followed by the code (StatusClass).
const (
	ClassOK        = "ok"
	ClassBadAnswer = "bad_answer" // answered, but not with what the flow needs
	ClassTimeout   = "timeout"    // no answer within the request timeout
	ClassReset     = "reset"      // the connection was reset
	ClassEOF       = "eof"        // the connection closed before an answer
	ClassRefused   = "refused"    // nothing listening
	ClassTransport = "transport"  // any other network error
	ClassCanceled  = "canceled"   // the run itself was interrupted; not a failure
	ClassDropped   = "dropped"    // open loop: not started, the in-flight bound was hit
)

// StatusClass is the class of an unexpected HTTP status.
func StatusClass(status int) string { return "http_" + strconv.Itoa(status) }

// IsNoAnswer tells whether a class means the server gave no answer to a
// request it had accepted: what a client sees when a server dies or hangs
// under it, and what the chaos suite never tolerates. A refused
// connection is not one: nothing was accepted, so nothing was lost.
func IsNoAnswer(class string) bool {
	switch class {
	case ClassTimeout, ClassReset, ClassEOF, ClassTransport:
		return true
	}
	return false
}

// StatusError reports an answer with a status the step did not expect.
type StatusError struct {
	Step   string // what the scenario was doing, e.g. "POST /token"
	Status int
}

func (e *StatusError) Error() string { return fmt.Sprintf("%s: HTTP %d", e.Step, e.Status) }

// BadAnswerError reports an answer with the expected status but without
// what the flow needs (no code in the redirect, no token in the JSON).
type BadAnswerError struct {
	Step   string
	Reason string
}

func (e *BadAnswerError) Error() string { return e.Step + ": " + e.Reason }

// Classify names the outcome of one iteration. ctx is the run's context:
// its cancellation makes errors "canceled" rather than failures.
func Classify(ctx context.Context, err error) string {
	var se *StatusError
	var be *BadAnswerError
	switch {
	case err == nil:
		return ClassOK
	case errors.As(err, &se):
		return StatusClass(se.Status)
	case errors.As(err, &be):
		return ClassBadAnswer
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		return ClassCanceled
	}
	return transportClass(err)
}

func transportClass(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return ClassTimeout
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ClassReset
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassEOF
	}
	return ClassTransport
}
