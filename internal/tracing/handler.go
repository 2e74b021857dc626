package tracing

import (
	"net"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// scope names the instrumentation of this package.
const scope = "github.com/gatehouse-idp/gatehouse/internal/tracing"

// RouteFunc names the route template a request goes to ("/clients/{client_id}"),
// or "" when none matches.
type RouteFunc func(*http.Request) string

// MuxRoute finds the template of the route router would send r to. It
// matches once more, because the router puts the route on a copy of the
// request that the handlers outside it never see; that costs a few
// microseconds, and only for requests that are traced.
func MuxRoute(router *mux.Router) RouteFunc {
	return func(r *http.Request) string {
		var m mux.RouteMatch
		if !router.Match(r, &m) || m.Route == nil {
			return ""
		}
		tmpl, err := m.Route.GetPathTemplate()
		if err != nil {
			return "" // a route without a path (a PathPrefix-less matcher)
		}
		return tmpl
	}
}

// Handler starts a server span for each request, as a child of the trace
// context in its headers (W3C traceparent and baggage) when there is one,
// and serves it with the span in its context, so that the stores' spans
// become its children. Put it outermost, so that everything the request
// costs — the deadline, the access log — falls inside the span.
//
// The span is named "METHOD /route/{template}" (OpenTelemetry HTTP
// conventions: never the raw path, which would make every client id a
// name of its own) and ends with the status code; a 5xx is an error. The
// query string and headers other than the user agent are not recorded.
func Handler(next http.Handler, route RouteFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := otel.GetTextMapPropagator().Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		method, known := knownMethod(r.Method)
		name := method
		if !known {
			name = "HTTP"
		}
		ctx, span := otel.Tracer(scope).Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer))
		rec := &statusRecorder{ResponseWriter: w}
		if span.IsRecording() {
			describe(span, r, method, known, route)
		}
		defer func() {
			if v := recover(); v != nil {
				span.SetStatus(codes.Error, "panic")
				span.End()
				panic(v) // net/http drops the connection, as it would have
			}
			finish(span, rec.code())
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// describe names span by the route and records what is known of r.
func describe(span trace.Span, r *http.Request, method string, known bool, route RouteFunc) {
	attrs := []attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLPath(r.URL.Path),
		semconv.URLScheme(scheme(r)),
		semconv.NetworkProtocolVersion(strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)),
	}
	if !known {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(r.Method))
	}
	if host, port, err := net.SplitHostPort(r.Host); err == nil {
		attrs = append(attrs, semconv.ServerAddress(host))
		if p, err := strconv.Atoi(port); err == nil {
			attrs = append(attrs, semconv.ServerPort(p))
		}
	} else if r.Host != "" {
		attrs = append(attrs, semconv.ServerAddress(r.Host))
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, semconv.ClientAddress(host))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	if route != nil {
		if tmpl := route(r); tmpl != "" {
			attrs = append(attrs, semconv.HTTPRoute(tmpl))
			if known {
				span.SetName(method + " " + tmpl)
			}
		}
	}
	span.SetAttributes(attrs...)
}

// finish records the status code and ends span. Per the HTTP server
// conventions only a 5xx is the server's error; a 4xx is the client's.
func finish(span trace.Span, status int) {
	span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	if status >= http.StatusInternalServerError {
		span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(status)))
		span.SetStatus(codes.Error, "")
	}
	span.End()
}

// knownMethod maps a method outside the standard set to "HTTP" for the
// span name and "_OTHER" for the attribute, so that invented methods
// cannot make names without end.
func knownMethod(m string) (string, bool) {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m, true
	}
	return "_OTHER", false
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// statusRecorder remembers the status code a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 && code >= http.StatusOK {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets handlers that stream reach the connection through the span.
func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status answered: 200 for a handler that wrote nothing.
func (w *statusRecorder) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
