package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// ErrBusy is returned by Verifier.Verify when a slow check could not be
// run: every slot was taken and the queue was full, or the caller's
// context ended while it waited. It is also a storage.ErrUnavailable
// (errors.Is), so that whoever answers an unavailable store with 503
// temporarily_unavailable answers an overload the same way, and never
// as a wrong secret.
var ErrBusy error = busyError{}

type busyError struct{}

func (busyError) Error() string { return "too many client secret checks in progress" }

func (busyError) Is(target error) bool { return target == storage.ErrUnavailable }

// busy wraps ErrBusy around why.
func busy(why error) error { return fmt.Errorf("%w: %w", ErrBusy, why) }

func isBusy(err error) bool { return errors.Is(err, ErrBusy) }

var errQueueFull = errors.New("the queue of waiting checks is full")

// gate admits at most cap(slots) slow checks at once and lets at most
// cap(queue) callers wait for a slot: a bound on the work in flight, and
// on the callers waiting for it, so that an overload is answered at once
// rather than by a pile of requests that all time out.
type gate struct {
	slots chan struct{}
	queue chan struct{} // one ticket per waiting caller
}

func newGate(slots, queue int) *gate {
	return &gate{slots: make(chan struct{}, slots), queue: make(chan struct{}, queue)}
}

// enter takes a slot, waiting in the queue for one while ctx lasts. A free
// slot is taken even when ctx has ended.
func (g *gate) enter(ctx context.Context) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case g.queue <- struct{}{}:
	default:
		return busy(errQueueFull)
	}
	defer func() { <-g.queue }()
	note(ctx, attrQueued.Bool(true))
	// Senders blocked on a channel are served in order: first come, first
	// served.
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return busy(ctx.Err())
	}
}

func (g *gate) leave() { <-g.slots }
