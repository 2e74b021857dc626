package tracing

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// recordSpans installs a provider that keeps every span in memory, and
// puts the process-wide defaults back when the test ends.
func recordSpans(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	prevTP, prevProp := otel.GetTracerProvider(), otel.GetTextMapPropagator()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	install(tp)
	t.Cleanup(func() {
		_ = tp.Shutdown(t.Context())
		otel.SetTracerProvider(prevTP)
		otel.SetTextMapPropagator(prevProp)
	})
	return rec
}

const (
	incomingTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	incomingSpan  = "00f067aa0ba902b7"
)

func TestTracingHandlerSpans(t *testing.T) {
	router := mux.NewRouter()
	router.NotFoundHandler = http.NotFoundHandler()
	var inner trace.SpanContext // the span context the route's handler sees
	router.HandleFunc("/clients/{id}", func(w http.ResponseWriter, r *http.Request) {
		inner = trace.SpanContextFromContext(r.Context())
		switch r.Method {
		case http.MethodDelete:
			w.WriteHeader(http.StatusServiceUnavailable)
		case http.MethodPut:
			w.WriteHeader(http.StatusBadRequest)
		default:
			_, _ = w.Write([]byte("{}"))
		}
	})
	h := Handler(router, MuxRoute(router))

	tests := []struct {
		name        string
		method      string
		path        string
		traceparent string
		wantName    string
		wantRoute   string
		wantStatus  int64
		wantError   bool
	}{
		{name: "incoming context is the parent", method: http.MethodGet, path: "/clients/abc",
			traceparent: "00-" + incomingTrace + "-" + incomingSpan + "-01",
			wantName:    "GET /clients/{id}", wantRoute: "/clients/{id}", wantStatus: 200},
		{name: "no incoming context starts a trace", method: http.MethodGet, path: "/clients/xyz",
			wantName: "GET /clients/{id}", wantRoute: "/clients/{id}", wantStatus: 200},
		{name: "client error is not a span error", method: http.MethodPut, path: "/clients/abc",
			wantName: "PUT /clients/{id}", wantRoute: "/clients/{id}", wantStatus: 400},
		{name: "server error is a span error", method: http.MethodDelete, path: "/clients/abc",
			wantName: "DELETE /clients/{id}", wantRoute: "/clients/{id}", wantStatus: 503, wantError: true},
		{name: "unknown path has no route", method: http.MethodGet, path: "/nowhere",
			wantName: "GET", wantStatus: 404},
		{name: "invented method", method: "BREW", path: "/clients/abc",
			wantName: "HTTP", wantRoute: "/clients/{id}", wantStatus: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := recordSpans(t)
			inner = trace.SpanContext{}
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.traceparent != "" {
				req.Header.Set("traceparent", tc.traceparent)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)

			spans := rec.Ended()
			if len(spans) != 1 {
				t.Fatalf("%d spans ended, want 1", len(spans))
			}
			s := spans[0]
			if s.Name() != tc.wantName || s.SpanKind() != trace.SpanKindServer {
				t.Errorf("span %q kind %v, want %q server", s.Name(), s.SpanKind(), tc.wantName)
			}
			attrs := attrMap(s.Attributes())
			if got := attrs["http.route"].AsString(); got != tc.wantRoute {
				t.Errorf("http.route = %q, want %q", got, tc.wantRoute)
			}
			if got := attrs["http.response.status_code"].AsInt64(); got != tc.wantStatus {
				t.Errorf("status code attribute = %d, want %d", got, tc.wantStatus)
			}
			if got := s.Status().Code == codes.Error; got != tc.wantError {
				t.Errorf("span status %v, want error %v", s.Status(), tc.wantError)
			}
			if tc.traceparent != "" {
				if s.SpanContext().TraceID().String() != incomingTrace || s.Parent().SpanID().String() != incomingSpan || !s.Parent().IsRemote() {
					t.Errorf("span in trace %s under %s, want trace %s under the remote span %s",
						s.SpanContext().TraceID(), s.Parent().SpanID(), incomingTrace, incomingSpan)
				}
			} else if s.Parent().IsValid() {
				t.Errorf("span has parent %s without an incoming context", s.Parent().SpanID())
			}
			if tc.wantRoute != "" && inner.SpanID() != s.SpanContext().SpanID() {
				t.Errorf("handler's context holds span %s, want the server span %s", inner.SpanID(), s.SpanContext().SpanID())
			}
		})
	}
}

// TestTracingHandlerUnsampledParent checks that a caller's decision not to
// sample holds: its trace id still reaches the handler, but nothing is
// recorded.
func TestTracingHandlerUnsampledParent(t *testing.T) {
	rec := recordSpans(t)
	var inner trace.SpanContext
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner = trace.SpanContextFromContext(r.Context())
	}), nil)
	// Setup's sampler: ParentBased, so an unsampled parent wins over the ratio.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(1))))
	otel.SetTracerProvider(tp)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("traceparent", "00-"+incomingTrace+"-"+incomingSpan+"-00")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if n := len(rec.Ended()); n != 0 {
		t.Errorf("%d spans recorded under an unsampled parent", n)
	}
	if inner.TraceID().String() != incomingTrace {
		t.Errorf("handler sees trace %s, want %s", inner.TraceID(), incomingTrace)
	}
}

func TestTracingHandlerPanicEndsSpan(t *testing.T) {
	rec := recordSpans(t)
	h := Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic(http.ErrAbortHandler)
	}), nil)
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want the handler's panic passed on", v)
			}
		}()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	spans := rec.Ended()
	if len(spans) != 1 || spans[0].Status().Code != codes.Error {
		t.Fatalf("after a panic: %d spans, want 1 with error status", len(spans))
	}
}

func attrMap(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}
