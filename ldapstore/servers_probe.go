package ldapstore

import (
	"context"
	"sync"
	"time"
)

// probeSchedule says how often servers are probed and for how long.
type probeSchedule struct {
	down    time.Duration // between probes of a server that is down
	up      time.Duration // between probes of a server that is up; <= 0: only when suspected
	timeout time.Duration // bounds one probe
}

// probeLoops are the background probes, one goroutine per server, so that
// a hung server does not delay the others' probes.
type probeLoops struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startProbes probes every server at once and then on schedule, and
// whenever suspect asks, until stopProbes.
func (h *servers) startProbes(sched probeSchedule, probe func(context.Context, string) error) {
	ctx, cancel := context.WithCancel(context.Background())
	h.probes.cancel = cancel
	for i := range h.list {
		h.probes.wg.Add(1)
		go func() {
			defer h.probes.wg.Done()
			h.probeLoop(ctx, i, sched, probe)
		}()
	}
}

// stopProbes stops the probe loops and waits for them.
func (h *servers) stopProbes() {
	if h.probes.cancel != nil {
		h.probes.cancel()
	}
	h.probes.wg.Wait()
}

func (h *servers) probeLoop(ctx context.Context, i int, sched probeSchedule, probe func(context.Context, string) error) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-h.list[i].kick:
		}
		h.probeOnce(ctx, i, sched.timeout, probe)
		_, up := h.isUp(i)
		if next, ok := sched.next(up); ok {
			timer.Reset(next)
		} else {
			timer.Stop()
		}
	}
}

// probeOnce probes server i and records what it found, unless the loop
// was stopped meanwhile: a probe cut short says nothing of the server.
func (h *servers) probeOnce(ctx context.Context, i int, timeout time.Duration, probe func(context.Context, string) error) {
	epoch, _ := h.isUp(i)
	start := h.now()
	pctx, cancel := context.WithTimeout(ctx, timeout)
	err := probe(pctx, h.list[i].url)
	cancel()
	switch {
	case ctx.Err() != nil:
	case err != nil:
		h.failed(i, epoch, err, start)
	default:
		h.answered(i, epoch)
	}
}

// next is the wait before the following probe of a server; ok is false
// when a server that is up is probed only on suspicion.
func (s probeSchedule) next(up bool) (time.Duration, bool) {
	if !up {
		return s.down, true
	}
	return s.up, s.up > 0
}
