package tracing

import (
	"testing"

	"go.opentelemetry.io/otel"
)

func TestTracingExportURL(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		insecure bool
		want     string
		wantErr  bool
	}{
		{name: "host and port", endpoint: "collector:4318", want: "https://collector:4318/v1/traces"},
		{name: "host and port, insecure", endpoint: "127.0.0.1:4318", insecure: true, want: "http://127.0.0.1:4318/v1/traces"},
		{name: "URL without path", endpoint: "http://collector:4318", want: "http://collector:4318/v1/traces"},
		{name: "URL with root path", endpoint: "https://collector/", want: "https://collector/v1/traces"},
		{name: "URL with its own path", endpoint: "https://gw.example/otlp/traces", want: "https://gw.example/otlp/traces"},
		{name: "URL scheme wins over insecure", endpoint: "https://collector:4318", insecure: true, want: "https://collector:4318/v1/traces"},
		{name: "other scheme", endpoint: "grpc://collector:4317", wantErr: true},
		{name: "no host", endpoint: "http://", wantErr: true},
		{name: "query", endpoint: "http://collector:4318/?x=1", wantErr: true},
		{name: "credentials in URL", endpoint: "https://user:pw@collector", wantErr: true},
		{name: "not a URL", endpoint: "coll ector:%zz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExportURL(tc.endpoint, tc.insecure)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ExportURL(%q, %v) = %q, %v; want %q, error %v", tc.endpoint, tc.insecure, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestTracingSetupOffTouchesNothing: with tracing off another part of the
// process (a test server, say) may have installed a provider; it stays.
func TestTracingSetupOffTouchesNothing(t *testing.T) {
	before := otel.GetTracerProvider()
	shutdown, err := Setup(t.Context(), Config{SampleRatio: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if otel.GetTracerProvider() != before {
		t.Error("Setup without an endpoint replaced the tracer provider")
	}
	if err := shutdown(t.Context()); err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func TestTracingSetupRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "ratio above 1", cfg: Config{Endpoint: "collector:4318", SampleRatio: 1.5}},
		{name: "bad endpoint", cfg: Config{Endpoint: "ftp://collector", SampleRatio: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := otel.GetTracerProvider()
			if _, err := Setup(t.Context(), tc.cfg, nil); err == nil {
				t.Error("Setup accepted it")
			}
			if otel.GetTracerProvider() != before {
				t.Error("a failed Setup replaced the tracer provider")
			}
		})
	}
}
