// Package tracing owns Gatehouse's OpenTelemetry traces: Setup builds the
// exporting TracerProvider (OTLP over HTTP, batched, sampled by ratio
// unless the caller's trace context decides) and Handler starts the server
// span of each request, named by its route template.
//
// The stores instrument themselves through the OpenTelemetry API
// (otel.Tracer) and so reach whichever provider Setup installed, or none:
// with tracing off nothing is installed, every span is a no-op, and no
// incoming trace context is read. That process-wide provider is the one
// piece of global state Gatehouse keeps, because the API is built around
// it; Setup touches it only when tracing is on.
//
// Spans carry names of operations, servers and routes, never secrets,
// keys, DNs, filters or usernames: the collector is not a place for
// personal data.
package tracing
