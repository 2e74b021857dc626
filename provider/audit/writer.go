package audit

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Writer writes each event as one line of JSON (JSON Lines) with a single
// Write call, so that lines never interleave — not even between processes
// appending to one file (O_APPEND). The line is written before Record
// returns: it is in the file, or the pipe, once the request that caused it
// has been answered.
type Writer struct {
	mu  sync.Mutex
	out io.Writer
	now func() time.Time
	log *slog.Logger
	// failing is set from a failed write until the next good one: an
	// unwritable audit log is reported once, not once per event.
	failing bool
}

var _ Recorder = (*Writer)(nil)

// NewWriter returns a Writer onto out. log, when not nil, hears of write
// failures (a full disk): an event that cannot be written is lost, never
// a reason to refuse a request.
func NewWriter(out io.Writer, log *slog.Logger) *Writer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Writer{out: out, now: time.Now, log: log}
}

// Record writes e as one line.
func (w *Writer) Record(_ context.Context, e Event) {
	if e.Time.IsZero() {
		e.Time = w.now()
	}
	e.Time = e.Time.UTC()
	line, err := json.Marshal(e)
	if err != nil { // cannot happen with Event's field types
		w.log.Error("audit: encode event", "type", e.Type, "err", err)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.out.Write(append(line, '\n'))
	switch {
	case err != nil && !w.failing:
		w.failing = true
		w.log.Error("audit: events are being lost", "err", err)
	case err == nil && w.failing:
		w.failing = false
		w.log.Info("audit: writing events again")
	}
}
