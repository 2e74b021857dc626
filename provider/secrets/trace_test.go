package secrets

import (
	"context"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// spanTracer records spans in memory for the test; each caller's work
// hangs under a parent span of its own, so spans are found by parent.
type spanTracer struct {
	rec *tracetest.SpanRecorder
	tp  *sdktrace.TracerProvider
}

func recordSpans(t *testing.T) *spanTracer {
	t.Helper()
	prev := otel.GetTracerProvider()
	st := &spanTracer{rec: tracetest.NewSpanRecorder()}
	st.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(st.rec))
	otel.SetTracerProvider(st.tp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prev)
		_ = st.tp.Shutdown(context.Background())
	})
	return st
}

// request returns a context holding a new parent span.
func (st *spanTracer) request(t *testing.T) (context.Context, trace.SpanContext) {
	ctx, span := st.tp.Tracer("test").Start(t.Context(), "request")
	t.Cleanup(func() { span.End() })
	return ctx, span.SpanContext()
}

// under returns the names and attributes of the spans under parent.
func (st *spanTracer) under(parent trace.SpanContext) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range st.rec.Ended() {
		if s.Parent().SpanID() == parent.SpanID() {
			out = append(out, s)
		}
	}
	return out
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]string {
	m := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value.String()
	}
	return m
}

func TestTracingVerify(t *testing.T) {
	st := recordSpans(t)
	v := NewVerifier(newTestCodec(t), VerifierOptions{})
	argon := mustHash(t, v, "good")
	bcrypt := readFixture(t, "bcrypt-htpasswd.txt")
	memory := "256" // cheapParams

	tests := []struct {
		name      string
		stored    string
		presented string
		wantSpan  bool
		wantAttrs map[attribute.Key]string // "" means absent
		wantError bool
	}{
		{name: "argon2id, first check", stored: argon, presented: "good", wantSpan: true,
			wantAttrs: map[attribute.Key]string{attrAlgorithm: "argon2id", attrMemoryKiB: memory, attrCached: "false"}},
		{name: "argon2id, remembered", stored: argon, presented: "good", wantSpan: true,
			wantAttrs: map[attribute.Key]string{attrAlgorithm: "argon2id", attrCached: "true", attrMemoryKiB: ""}},
		{name: "argon2id, wrong secret is no error", stored: argon, presented: "bad", wantSpan: true,
			wantAttrs: map[attribute.Key]string{attrAlgorithm: "argon2id", attrCached: "false"}},
		{name: "bcrypt has no memory cost", stored: bcrypt.stored, presented: bcrypt.plain, wantSpan: true,
			wantAttrs: map[attribute.Key]string{attrAlgorithm: "bcrypt", attrMemoryKiB: ""}},
		{name: "malformed hash", stored: "$argon2id$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$dGFn", presented: "x", wantSpan: true,
			wantAttrs: map[attribute.Key]string{attrAlgorithm: "argon2id"}, wantError: true},
		{name: "plain value is cheap and untraced", stored: "plain-secret", presented: "plain-secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, parent := st.request(t)
			_, err := v.Verify(ctx, "c", "v1", tc.stored, tc.presented)
			if (err != nil) != tc.wantError {
				t.Fatalf("Verify error %v", err)
			}
			spans := st.under(parent)
			if !tc.wantSpan {
				if len(spans) != 0 {
					t.Fatalf("%d spans for a plain value", len(spans))
				}
				return
			}
			if len(spans) != 1 || spans[0].Name() != "secret.verify" {
				t.Fatalf("spans %v, want one secret.verify", spans)
			}
			got := attrsOf(spans[0])
			for k, want := range tc.wantAttrs {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
			if isErr := spans[0].Status().Code == codes.Error; isErr != tc.wantError {
				t.Errorf("span status %+v, want error %v", spans[0].Status(), tc.wantError)
			}
		})
	}
}

// TestTracingVerifyCollapsedQueued holds the only slot with one check
// while a second caller of the same check waits on it (collapsed) and a
// third, of another secret, waits for the slot (queued).
func TestTracingVerifyCollapsedQueued(t *testing.T) {
	st := recordSpans(t)
	v, entered, release := blockingVerifier(t, VerifierOptions{MaxConcurrent: 1, MaxQueued: 4})
	following := make(chan struct{})
	var follows atomic.Int64
	v.onFollow = func() {
		if follows.Add(1) == 1 {
			close(following)
		}
	}
	stored := mustHash(t, v, "good")

	leadCtx, leader := st.request(t)
	followCtx, follower := st.request(t)
	queueCtx, queued := st.request(t)
	done := []<-chan result{verifyAsync(leadCtx, v, "c", stored, "good")}
	<-entered
	done = append(done, verifyAsync(followCtx, v, "c", stored, "good"))
	<-following
	done = append(done, verifyAsync(queueCtx, v, "c", stored, "other"))
	waitFor(t, "third caller queued", func() bool { return v.Stats().Queued == 1 })
	close(release)
	for _, ch := range done {
		if r := <-ch; r.err != nil {
			t.Fatal(r.err)
		}
	}

	tests := []struct {
		name   string
		parent trace.SpanContext
		want   map[attribute.Key]string
	}{
		{name: "leader", parent: leader, want: map[attribute.Key]string{attrCollapsed: "", attrQueued: ""}},
		{name: "follower", parent: follower, want: map[attribute.Key]string{attrCollapsed: "true", attrQueued: ""}},
		{name: "queued", parent: queued, want: map[attribute.Key]string{attrCollapsed: "", attrQueued: "true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spans := st.under(tc.parent)
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			got := attrsOf(spans[0])
			for k, want := range tc.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
		})
	}
}

func TestTracingHashContext(t *testing.T) {
	st := recordSpans(t)
	c := newTestCodec(t)
	ctx, parent := st.request(t)
	stored, err := c.HashContext(ctx, "secret")
	if err != nil || Kind(stored) != Argon2id {
		t.Fatalf("HashContext = %q, %v", stored, err)
	}
	spans := st.under(parent)
	if len(spans) != 1 || spans[0].Name() != "secret.hash" {
		t.Fatalf("spans %v, want one secret.hash", spans)
	}
	got := attrsOf(spans[0])
	if got[attrAlgorithm] != "argon2id" || got[attrMemoryKiB] != "256" {
		t.Errorf("attributes %v", got)
	}
}
