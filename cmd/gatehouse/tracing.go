package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/internal/tracing"
)

// tracingFlushTimeout bounds the export of the spans still queued when
// the server stops: a collector that is gone must not hold the exit.
const tracingFlushTimeout = 5 * time.Second

// setupTracing turns OpenTelemetry traces on when tracing.endpoint is set
// (see internal/tracing); with it empty it does nothing, and shutdown
// does nothing either. Call shutdown once the server has stopped, through
// flushTracing.
func setupTracing(ctx context.Context, cfg conf.Tracing, log *slog.Logger) (shutdown func(context.Context) error, err error) {
	shutdown, err = tracing.Setup(ctx, tracing.Config{
		Endpoint:       cfg.Endpoint,
		Insecure:       cfg.Insecure,
		SampleRatio:    cfg.SampleRatio,
		ServiceVersion: version,
	}, log.With("component", "tracing"))
	if err != nil {
		return nil, asUsage(fmt.Errorf("tracing.endpoint: %w", err))
	}
	if cfg.Endpoint != "" {
		target, _ := tracing.ExportURL(cfg.Endpoint, cfg.Insecure) // Setup has checked it
		log.Info("tracing on", "endpoint", target, "sampleRatio", cfg.SampleRatio)
	}
	return shutdown, nil
}

// flushTracing sends the spans still queued and stops the exporter,
// within tracingFlushTimeout; a failure is logged, as the server has
// stopped cleanly either way.
func flushTracing(shutdown func(context.Context) error, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), tracingFlushTimeout)
	defer cancel()
	if err := shutdown(ctx); err != nil {
		log.Warn("tracing: spans lost at shutdown", "err", err)
	}
}
