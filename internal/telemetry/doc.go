// Package telemetry owns the Prometheus metrics of a running server: one
// registry of its own (never the global one), the HTTP, directory and
// Redis observations the other packages report through seams they
// declare, counters made from audit events, and collectors that read the
// stores' own statistics at scrape time.
//
// Label values are bounded: route templates, never paths; fixed sets of
// outcomes, methods and operations; directory servers and key ids from
// the configuration. A client_id label is added only when
// metrics.clientLabels asks for it, since the number of clients is not
// bounded. docs/observability.md lists every metric.
package telemetry
