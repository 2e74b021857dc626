// Package logx shapes the provider's log: values a client sent are cut to
// a bounded length, and warnings and errors that repeat (one per failed
// request during an outage) are limited to a few lines per interval, with a
// count of what was held back.
package logx

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxValueBytes is the longest string value written to the log as it is;
// longer ones (a 100 KB client_id, a whole request) are cut, with their
// length noted.
const MaxValueBytes = 256

// Truncate is a slog ReplaceAttr function: strings and errors longer than
// MaxValueBytes are cut at a character boundary and marked with their
// length.
func Truncate(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); len(s) > MaxValueBytes {
			a.Value = slog.StringValue(cut(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			if s := err.Error(); len(s) > MaxValueBytes {
				a.Value = slog.StringValue(cut(s))
			}
		}
	}
	return a
}

func cut(s string) string {
	n := MaxValueBytes
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:n], len(s))
}

// Limits say how many records of one kind may pass per interval.
type Limits struct {
	// Burst records of one message and level pass in each Interval; the
	// rest are counted, and the count rides on the next one that passes.
	Burst    int
	Interval time.Duration
	// Clock tells the time; nil means time.Now.
	Clock func() time.Time
}

// DefaultLimits let 5 lines of one warning or error through every 10 s.
var DefaultLimits = Limits{Burst: 5, Interval: 10 * time.Second}

// RateLimit wraps h so that warnings and errors of the same message are
// limited to l. Info and debug records, such as the access log, pass
// untouched.
func RateLimit(h slog.Handler, l Limits) slog.Handler {
	if l.Clock == nil {
		l.Clock = time.Now
	}
	return &limited{next: h, state: &limiter{limits: l, kinds: map[kind]*window{}}}
}

type kind struct {
	level slog.Level
	msg   string
}

type window struct {
	start      time.Time
	passed     int
	suppressed int
}

// maxKinds bounds the limiter's memory: messages are constants, so this is
// never reached in practice, and past it the table starts afresh.
const maxKinds = 1024

type limiter struct {
	limits Limits
	mu     sync.Mutex
	kinds  map[kind]*window
}

// admit tells whether a record may pass, and how many of its kind were
// held back since the last one that did.
func (l *limiter) admit(k kind) (ok bool, suppressed int) {
	now := l.limits.Clock()
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.kinds[k]
	if w == nil {
		if len(l.kinds) >= maxKinds {
			clear(l.kinds)
		}
		w = &window{start: now}
		l.kinds[k] = w
	}
	if now.Sub(w.start) >= l.limits.Interval {
		w.start, w.passed = now, 0
	}
	if w.passed >= l.limits.Burst {
		w.suppressed++
		return false, 0
	}
	w.passed++
	suppressed, w.suppressed = w.suppressed, 0
	return true, suppressed
}

type limited struct {
	next  slog.Handler
	state *limiter
}

func (h *limited) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *limited) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	ok, suppressed := h.state.admit(kind{r.Level, r.Message})
	if !ok {
		return nil
	}
	if suppressed > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed_since_last", suppressed))
	}
	return h.next.Handle(ctx, r)
}

func (h *limited) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &limited{next: h.next.WithAttrs(attrs), state: h.state}
}

func (h *limited) WithGroup(name string) slog.Handler {
	return &limited{next: h.next.WithGroup(name), state: h.state}
}
