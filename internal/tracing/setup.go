package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Config is what Setup needs; cmd/gatehouse fills it from conf.Tracing.
type Config struct {
	// Endpoint is the OTLP/HTTP collector: host:port, to which
	// /v1/traces is sent, or a URL; a URL without a path gets /v1/traces
	// too, one with a path is used as it is. "" turns tracing off.
	Endpoint string
	// Insecure sends to a host:port endpoint over plain http. A URL's
	// scheme says so itself.
	Insecure bool
	// SampleRatio is the share of new traces recorded, 0 to 1. A request
	// whose incoming trace context is sampled is recorded whatever the
	// ratio, and one whose context is not sampled is not: the caller's
	// decision holds along the whole trace.
	SampleRatio float64
	// ServiceVersion is reported as service.version.
	ServiceVersion string
}

// ServiceName is the service.name of every span, unless OTEL_SERVICE_NAME
// says otherwise.
const ServiceName = "gatehouse"

// tracesPath is where an OTLP/HTTP collector takes traces.
const tracesPath = "/v1/traces"

// Setup installs, when cfg.Endpoint is set, a TracerProvider that batches
// spans to the collector, and the W3C trace context and baggage
// propagators, as the process-wide OpenTelemetry defaults. The returned
// shutdown flushes the spans still queued and stops the exporter; call it
// once the server has stopped. With no endpoint it installs nothing and
// shutdown does nothing.
//
// Headers for the collector (an API key, say) come from the standard
// OTEL_EXPORTER_OTLP_HEADERS variable, and resource attributes from
// OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME. Export failures are
// logged to log, at warning level.
func Setup(ctx context.Context, cfg Config, log *slog.Logger) (shutdown func(context.Context) error, err error) {
	if cfg.Endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	if cfg.SampleRatio < 0 || cfg.SampleRatio > 1 {
		return nil, fmt.Errorf("sample ratio %g outside 0..1", cfg.SampleRatio)
	}
	target, err := ExportURL(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(target))
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	res, err := newResource(ctx, cfg.ServiceVersion)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
	)
	install(tp)
	if log != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			log.Warn("tracing: spans not exported", "err", err)
		}))
	}
	return tp.Shutdown, nil
}

// install makes tp and the W3C propagators the process-wide defaults.
func install(tp trace.TracerProvider) {
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(
		propagation.TraceContext{}, propagation.Baggage{}))
}

func newResource(ctx context.Context, version string) (*resource.Resource, error) {
	attrs := []resource.Option{
		resource.WithAttributes(semconv.ServiceName(ServiceName)),
		resource.WithTelemetrySDK(),
	}
	if version != "" {
		attrs = append(attrs, resource.WithAttributes(semconv.ServiceVersion(version)))
	}
	// Last, so that OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
	attrs = append(attrs, resource.WithFromEnv())
	res, err := resource.New(ctx, attrs...)
	if err != nil && !errors.Is(err, resource.ErrPartialResource) {
		return nil, fmt.Errorf("tracing resource: %w", err)
	}
	return res, nil
}

// ExportURL is the URL spans are posted to for a configured endpoint: a
// host:port gets https (http when insecure) and /v1/traces; a URL keeps
// its scheme, and gets /v1/traces when it has no path.
func ExportURL(endpoint string, insecure bool) (string, error) {
	if !strings.Contains(endpoint, "://") {
		scheme := "https"
		if insecure {
			scheme = "http"
		}
		endpoint = scheme + "://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("endpoint %q: not a URL or host:port", endpoint)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("endpoint %q: scheme must be http or https", endpoint)
	}
	if u.Host == "" || u.Port() == "" && strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("endpoint %q: no host", endpoint)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("endpoint %q: no user, query or fragment allowed", endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = tracesPath
	}
	return u.String(), nil
}
