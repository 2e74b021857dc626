package secrets

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// scope names the instrumentation of this package.
const scope = "github.com/gatehouse-idp/gatehouse/provider/secrets"

// Attributes of the secret.verify and secret.hash spans. Neither secret
// nor stored value is ever recorded.
const (
	attrAlgorithm = attribute.Key("secret.algorithm")  // argon2id, argon2i, bcrypt
	attrMemoryKiB = attribute.Key("secret.memory_kib") // Argon2 memory cost
	attrCached    = attribute.Key("secret.cached")     // answered by the cache of successes
	attrCollapsed = attribute.Key("secret.collapsed")  // answered by a concurrent caller's run
	attrQueued    = attribute.Key("secret.queued")     // waited for a free slot
)

// startSpan starts a span named name for a check or hash in format f; the
// steps below add to it through the returned context.
func startSpan(ctx context.Context, name string, f Format) (context.Context, trace.Span) {
	ctx, span := otel.Tracer(scope).Start(ctx, name)
	if span.IsRecording() {
		span.SetAttributes(attrAlgorithm.String(f.String()))
	}
	return ctx, span
}

// note adds attributes to the span of ctx, if it records.
func note(ctx context.Context, kvs ...attribute.KeyValue) {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(kvs...)
	}
}

// endSpan ends span; an error is one the stored value or an overload
// caused, never a wrong secret, and its text names no secret.
func endSpan(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
