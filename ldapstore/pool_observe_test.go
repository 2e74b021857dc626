package ldapstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// observation is one call of OpObserver.
type observation struct {
	server, op string
	d          time.Duration
	err        error
}

// observer keeps what it is told, and signals each probe.
type observer struct {
	mu     sync.Mutex
	seen   []observation
	probed chan struct{}
}

func newObserver() *observer { return &observer{probed: make(chan struct{}, 1)} }

func (o *observer) ObserveLDAP(server, op string, d time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if op == opProbe {
		select {
		case o.probed <- struct{}{}:
		default:
		}
		return
	}
	o.seen = append(o.seen, observation{server, op, d, err})
}

// take returns and forgets what was observed, probes aside.
func (o *observer) take() []observation {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := o.seen
	o.seen = nil
	return out
}

// tracedContext records spans in memory for the test and returns a
// context holding a parent span, whose trace the spans of the test share:
// other tests' spans, should they run meanwhile, are told apart by it.
func tracedContext(t *testing.T) (context.Context, trace.SpanContext, *tracetest.SpanRecorder) {
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

// spansUnder returns the ended spans that are children of parent.
func spansUnder(rec *tracetest.SpanRecorder, parent trace.SpanContext) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Parent().SpanID() == parent.SpanID() {
			out = append(out, s)
		}
	}
	return out
}

func TestPoolObserverAndSpans(t *testing.T) {
	s := ldaptest.New(t, ldaptest.Options{})
	obs := newObserver()
	p, err := NewPool(PoolConfig{URLs: []string{s.URL}, BindDN: s.AdminDN, BindPassword: s.AdminPassword,
		Timeout: 2 * time.Second, Size: 1, Observer: obs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	missing := ldap.NewModifyRequest("cn=nobody,"+s.BaseDN, nil)
	missing.Replace("description", []string{"x"})

	tests := []struct {
		name    string
		run     func(ctx context.Context) error
		wantOps []string // observed, in order
		wantErr string   // error kind of the last operation; "" for success
	}{
		{name: "first search dials", wantOps: []string{opDial, OpSearch},
			run: func(ctx context.Context) error {
				return p.DoIdempotentOp(ctx, OpSearch, func(c *ldap.Conn) error { _, err := c.Search(rootDSE()); return err })
			}},
		{name: "modify of a missing entry", wantOps: []string{OpModify}, wantErr: "No Such Object",
			run: func(ctx context.Context) error {
				return p.DoOp(ctx, OpModify, func(c *ldap.Conn) error { return c.Modify(missing) })
			}},
		{name: "Do is other", wantOps: []string{OpOther},
			run: func(ctx context.Context) error {
				return p.Do(ctx, func(c *ldap.Conn) error { _, err := c.Search(rootDSE()); return err })
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, parent, rec := tracedContext(t)
			obs.take()
			runErr := tc.run(ctx)
			if (runErr != nil) != (tc.wantErr != "") {
				t.Fatalf("operation returned %v", runErr)
			}
			seen := obs.take()
			spans := spansUnder(rec, parent)
			if len(seen) != len(tc.wantOps) || len(spans) != len(tc.wantOps) {
				t.Fatalf("observed %+v and %d spans, want ops %v", seen, len(spans), tc.wantOps)
			}
			for i, op := range tc.wantOps {
				if seen[i].op != op || seen[i].server != s.URL || seen[i].d <= 0 {
					t.Errorf("observation %d = %+v, want op %s on %s", i, seen[i], op, s.URL)
				}
				checkSpan(t, spans[i], op)
			}
			last, lastSpan := seen[len(seen)-1], spans[len(spans)-1]
			if tc.wantErr == "" {
				if last.err != nil || lastSpan.Status().Code == codes.Error {
					t.Errorf("success observed as %v, span status %v", last.err, lastSpan.Status())
				}
				return
			}
			if !ldap.IsErrorWithCode(last.err, ldap.LDAPResultNoSuchObject) {
				t.Errorf("observed error %v, want the server's noSuchObject", last.err)
			}
			if st := lastSpan.Status(); st.Code != codes.Error || st.Description != tc.wantErr {
				t.Errorf("span status %+v, want error %q", st, tc.wantErr)
			}
		})
	}

	t.Run("probes are observed", func(t *testing.T) {
		select {
		case <-obs.probed: // NewPool probes every server at once
		case <-time.After(10 * time.Second):
			t.Fatal("no probe observed")
		}
	})
}

func TestPoolObserverFailedDial(t *testing.T) {
	dead := closedURL(t)
	obs := newObserver()
	p, err := NewPool(PoolConfig{URLs: []string{dead}, Timeout: time.Second, Observer: obs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	// The first probe may have found the port closed already, and then
	// the pool would refuse without dialling: stop the probes and take
	// the server for up, as it is before anything has failed.
	p.servers.stopProbes()
	epoch, _ := p.servers.isUp(0)
	p.servers.answered(0, epoch)
	obs.take()

	ctx, parent, rec := tracedContext(t)
	if err := p.DoOp(ctx, OpSearch, func(*ldap.Conn) error { return nil }); err == nil {
		t.Fatal("operation on a closed port succeeded")
	}
	seen := obs.take()
	if len(seen) == 0 || seen[0].op != opDial || seen[0].server != dead || seen[0].err == nil {
		t.Fatalf("observed %+v, want a failed dial of %s", seen, dead)
	}
	spans := spansUnder(rec, parent)
	if len(spans) == 0 {
		t.Fatal("no span for the failed dial")
	}
	checkSpan(t, spans[0], opDial)
	if st := spans[0].Status(); st.Code != codes.Error || st.Description != "network" {
		t.Errorf("failed dial's span status %+v, want a network error", st)
	}
}

// checkSpan asserts a span's name and its attributes: the server, never
// what was asked of it.
func checkSpan(t *testing.T, s sdktrace.ReadOnlySpan, op string) {
	t.Helper()
	if s.Name() != "ldap."+op || s.SpanKind() != trace.SpanKindClient {
		t.Errorf("span %q kind %v, want ldap.%s client", s.Name(), s.SpanKind(), op)
	}
	want := map[attribute.Key]string{
		"db.system.name":    "ldap",
		"db.operation.name": op,
		"server.address":    "127.0.0.1",
	}
	got := map[attribute.Key]string{}
	for _, kv := range s.Attributes() {
		got[kv.Key] = kv.Value.String()
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("span %s: %s = %q, want %q", s.Name(), k, got[k], v)
		}
	}
	if got["server.port"] == "" {
		t.Errorf("span %s has no server.port", s.Name())
	}
}
