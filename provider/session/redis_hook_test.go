package session_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

type redisCall struct {
	op  string
	err error
}

type redisObserver struct {
	mu    sync.Mutex
	calls []redisCall
}

func (o *redisObserver) ObserveRedis(op string, d time.Duration, err error) {
	if d <= 0 {
		err = errors.Join(err, errors.New("no duration"))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if op != "dial" && op != "hello" { // whether a command dials depends on the pool
		o.calls = append(o.calls, redisCall{op, err})
	}
}

func (o *redisObserver) take() []redisCall {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.calls
	o.calls = nil
	return out
}

// TestRedisObserverAndSpans runs commands through a store made by
// DialRedis and checks what the observer hears and which spans it leaves
// under the request's span.
func TestRedisObserverAndSpans(t *testing.T) {
	srv := redistest.New(t, redistest.Options{})
	kv, err := session.DialRedis([]string{srv.Addr}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kv.Close() })
	obs := &redisObserver{}
	kv.WithObserver(obs)

	raw := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = raw.Close() })
	if err := raw.ZAdd(t.Context(), session.DefaultRedisPrefix+"not-a-string", redis.Z{Score: 1, Member: "m"}).Err(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		run     func(ctx context.Context) error
		wantOp  string
		wantN   int    // commands or pipelines it takes, when more than one
		wantErr string // kind of the command's error; "" for none
	}{
		{name: "put", wantOp: "set", run: func(ctx context.Context) error {
			return kv.Put(ctx, "k", []byte("v"), time.Minute)
		}},
		{name: "a missing key is no error", wantOp: "get", run: func(ctx context.Context) error {
			if _, err := kv.Get(ctx, "missing"); !errors.Is(err, storage.ErrNotFound) {
				return errors.Join(errors.New("want not found"), err)
			}
			return nil
		}},
		{name: "take", wantOp: "getdel", run: func(ctx context.Context) error {
			_, err := kv.Take(ctx, "k")
			return err
		}},
		{name: "pipeline", wantOp: "pipeline", wantN: 2, run: func(ctx context.Context) error {
			return kv.PutEvictable(ctx, "g", "e", []byte("v"), time.Minute)
		}},
		{name: "server error", wantOp: "get", wantErr: "WRONGTYPE", run: func(ctx context.Context) error {
			if _, err := kv.Get(ctx, "not-a-string"); !errors.Is(err, storage.ErrMalformed) {
				return errors.Join(errors.New("want malformed"), err)
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, parent, rec := redisTraced(t)
			if err := tc.run(ctx); err != nil {
				t.Fatal(err)
			}
			n := max(tc.wantN, 1)
			calls := obs.take()
			if len(calls) != n {
				t.Fatalf("observed %+v, want %d %s", calls, n, tc.wantOp)
			}
			for _, c := range calls {
				if c.op != tc.wantOp || (c.err != nil) != (tc.wantErr != "") || c.err != nil && !strings.HasPrefix(c.err.Error(), tc.wantErr) {
					t.Errorf("observed %+v, want %s with error %q", c, tc.wantOp, tc.wantErr)
				}
			}
			var spans []sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.Parent().SpanID() == parent.SpanID() {
					spans = append(spans, s)
				}
			}
			if len(spans) != n {
				t.Fatalf("spans under the request: %v, want %d redis.%s", names(spans), n, tc.wantOp)
			}
			for _, s := range spans {
				checkRedisSpan(t, s, tc.wantOp, tc.wantErr)
			}
		})
	}
}

func checkRedisSpan(t *testing.T, s sdktrace.ReadOnlySpan, op, wantErr string) {
	t.Helper()
	if s.Name() != "redis."+op || s.SpanKind() != trace.SpanKindClient {
		t.Errorf("span %q kind %v, want redis.%s client", s.Name(), s.SpanKind(), op)
	}
	attrs := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		attrs[kv.Key] = kv.Value.String()
	}
	if attrs["db.system.name"] != "redis" || attrs["db.operation.name"] != op || attrs["server.address"] != "127.0.0.1" {
		t.Errorf("span attributes %v", attrs)
	}
	if st := s.Status(); (st.Code == codes.Error) != (wantErr != "") || st.Description != wantErr {
		t.Errorf("span status %+v, want error %q", st, wantErr)
	}
}

// redisTraced records spans for the test and returns a context holding
// the request's span.
func redisTraced(t *testing.T) (context.Context, trace.SpanContext, *tracetest.SpanRecorder) {
	t.Helper()
	prev := otel.GetTracerProvider()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	otel.SetTracerProvider(tp)
	t.Cleanup(func() {
		otel.SetTracerProvider(prev)
		_ = tp.Shutdown(context.Background())
	})
	ctx, parent := tp.Tracer("test").Start(t.Context(), "request")
	t.Cleanup(func() { parent.End() })
	return ctx, parent.SpanContext(), rec
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name()
	}
	return out
}
