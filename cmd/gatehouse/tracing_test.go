package main

import (
	"compress/gzip"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// otlpReceiver is an in-process OTLP/HTTP collector: it takes POST
// /v1/traces in protobuf, as a real collector does, and keeps the spans.
type otlpReceiver struct {
	url string

	mu    sync.Mutex
	spans []*tracepb.Span
	errs  []error
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	rcv := &otlpReceiver{}
	srv := httptest.NewServer(http.HandlerFunc(rcv.serve))
	t.Cleanup(srv.Close)
	rcv.url = srv.URL
	return rcv
}

func (rcv *otlpReceiver) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		rcv.fail(fmt.Errorf("unexpected %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type")))
		http.Error(w, "not an OTLP traces request", http.StatusBadRequest)
		return
	}
	body := io.Reader(r.Body)
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			rcv.fail(err)
			http.Error(w, "bad gzip", http.StatusBadRequest)
			return
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	var req coltrace.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(raw, &req)
	}
	if err != nil {
		rcv.fail(err)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	rcv.mu.Lock()
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			rcv.spans = append(rcv.spans, ss.Spans...)
		}
	}
	rcv.mu.Unlock()
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{}) // an empty message always marshals
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (rcv *otlpReceiver) fail(err error) {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	rcv.errs = append(rcv.errs, err)
}

// trace returns the spans received of trace id (hex).
func (rcv *otlpReceiver) trace(t *testing.T, id string) []*tracepb.Span {
	t.Helper()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for _, err := range rcv.errs {
		t.Errorf("OTLP receiver: %v", err)
	}
	var out []*tracepb.Span
	for _, s := range rcv.spans {
		if hex.EncodeToString(s.TraceId) == id {
			out = append(out, s)
		}
	}
	return out
}

// tracedServiceClient may use client_credentials; its secret is the
// demo's, demo-rp-secret, hashed with Argon2id.
const tracedServiceClient = `
dn: oauthClientID=traced-service,ou=clients,dc=example,dc=org
objectClass: oidcRelyingParty
objectClass: gatehouseClient
oauthClientID: traced-service
oauthClientIDIssueTime: 20261125000000Z
oauthClientSecret: $argon2id$v=19$m=65536,t=1,p=2$24G7Sr6Zv3wRWY3h6FnrTw$sIscSiV6N2VZiekCsNfYPibrxH/r0c4gYjSI+5IU1uE
oauthTokenEndpointAuthMethod: client_secret_basic
oauthGrantType: client_credentials
oauthScopeValue: api
gatehouseVersion: seed-1
`

// startTracedServer runs gatehouse serve on the dev directory (on a
// private slapd, with the traced-service client added) exporting its
// spans to endpoint.
func startTracedServer(t *testing.T, endpoint string) *server {
	t.Helper()
	dev, err := os.ReadFile("../../conf/dev-directory.ldif")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ldif := filepath.Join(dir, "directory.ldif")
	if err := os.WriteFile(ldif, append(dev, tracedServiceClient...), 0o600); err != nil {
		t.Fatal(err)
	}
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{ldif}})
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	return startServe(t, fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys: {file: %s/jwks.json}
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
tracing: {endpoint: %q, sampleRatio: 0}
`, dir, slapd.URL, slapd.AdminDN, pwFile, endpoint))
}

// TestTracingTokenRequest makes a client_credentials request carrying a
// W3C traceparent and checks the span tree the collector receives: the
// server span POST /token in the caller's trace, under the caller's span,
// and under it the directory's client lookup and the Argon2 check. The
// sample ratio is 0, so the span exists only because the caller sampled
// it.
func TestTracingTokenRequest(t *testing.T) {
	rcv := newOTLPReceiver(t)
	s := startTracedServer(t, rcv.url)
	const traceID, callerSpan = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"

	req, err := http.NewRequest(http.MethodPost, s.base+"/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"api"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("traceparent", "00-"+traceID+"-"+callerSpan+"-01")
	req.SetBasicAuth("traced-service", "demo-rp-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "access_token") {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	// Stopping the server flushes the spans still queued.
	if code := s.stop(t); code != exitOK {
		t.Fatalf("exit code %d; log:\n%s", code, s.log.String())
	}

	spans := rcv.trace(t, traceID)
	server := findSpan(spans, "POST /token", callerSpan)
	if server == nil {
		t.Fatalf("no POST /token span under the caller's span %s; trace has %s", callerSpan, spanNames(spans))
	}
	if server.Kind != tracepb.Span_SPAN_KIND_SERVER || attr(server, "http.route") != "/token" || attr(server, "http.response.status_code") != "200" {
		t.Errorf("server span: kind %v, route %q, status %q", server.Kind, attr(server, "http.route"), attr(server, "http.response.status_code"))
	}
	serverID := hex.EncodeToString(server.SpanId)
	tests := []struct {
		name  string
		attrs map[string]string
	}{
		{name: "ldap.search", attrs: map[string]string{"db.system.name": "ldap", "db.operation.name": "search", "server.address": "127.0.0.1"}},
		{name: "secret.verify", attrs: map[string]string{"secret.algorithm": "argon2id", "secret.memory_kib": "65536", "secret.cached": "false"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			child := findSpan(spans, tc.name, serverID)
			if child == nil {
				t.Fatalf("no %s span under POST /token; trace has %s", tc.name, spanNames(spans))
			}
			for k, want := range tc.attrs {
				if got := attr(child, k); got != want {
					t.Errorf("%s: %s = %q, want %q", tc.name, k, got, want)
				}
			}
		})
	}
}

// findSpan returns the span named name whose parent is parent (hex).
func findSpan(spans []*tracepb.Span, name, parent string) *tracepb.Span {
	for _, s := range spans {
		if s.Name == name && hex.EncodeToString(s.ParentSpanId) == parent {
			return s
		}
	}
	return nil
}

func spanNames(spans []*tracepb.Span) string {
	var names []string
	for _, s := range spans {
		names = append(names, s.Name+" (parent "+hex.EncodeToString(s.ParentSpanId)+")")
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// attr is the value of a span attribute as text.
func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key != key {
			continue
		}
		switch v := kv.Value.Value.(type) {
		case *commonpb.AnyValue_StringValue:
			return v.StringValue
		case *commonpb.AnyValue_IntValue:
			return fmt.Sprint(v.IntValue)
		case *commonpb.AnyValue_BoolValue:
			return fmt.Sprint(v.BoolValue)
		}
		return fmt.Sprint(kv.Value.Value)
	}
	return ""
}
