package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
)

func TestWriterOneLinePerEvent(t *testing.T) {
	var buf bytes.Buffer
	w := audit.NewWriter(&buf, nil)
	at := time.Date(2025, 3, 1, 12, 0, 0, 5, time.FixedZone("CET", 3600))
	w.Record(context.Background(), audit.Event{Time: at, Type: audit.TypeSignIn, Outcome: audit.OutcomeInvalid,
		Username: "alice", ClientID: "demo-rp", Address: "127.0.0.1"})
	w.Record(context.Background(), audit.Event{Type: audit.TypeRevocation, Outcome: audit.OutcomeRevoked, JTI: "j1"})

	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	want := `{"time":"2025-03-01T11:00:00.000000005Z","type":"signin","outcome":"invalid","client_id":"demo-rp","username":"alice","address":"127.0.0.1"}`
	if lines[0] != want {
		t.Errorf("line 1:\n got %s\nwant %s", lines[0], want)
	}
	var second map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if ts, _ := second["time"].(string); ts == "" || second["jti"] != "j1" || second["type"] != "revocation" {
		t.Errorf("line 2 = %v: want a time set by the writer, the type and the jti", second)
	}
	for _, empty := range []string{"sub", "scopes", "client_id", "kids"} {
		if _, ok := second[empty]; ok {
			t.Errorf("line 2 holds the empty field %q", empty)
		}
	}
}

// TestWriterConcurrent: lines of concurrent events never interleave.
func TestWriterConcurrent(t *testing.T) {
	var buf bytes.Buffer
	w := audit.NewWriter(&buf, nil)
	var wg sync.WaitGroup
	const goroutines, each = 8, 50
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				w.Record(context.Background(), audit.Event{Type: audit.TypeTokenIssued,
					ClientID: fmt.Sprintf("client-%d", g), JTI: fmt.Sprintf("%d-%d", g, i),
					Scopes: []string{"openid", "profile"}})
			}
		})
	}
	wg.Wait()
	sc := bufio.NewScanner(&buf)
	n := 0
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d is not one event: %v: %s", n+1, err, sc.Text())
		}
		n++
	}
	if n != goroutines*each {
		t.Errorf("got %d lines, want %d", n, goroutines*each)
	}
}

type failingWriter struct{ fail bool }

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.fail {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// TestWriterFailureReportedOnce: a failing output is logged once per
// streak, and the recovery once.
func TestWriterFailureReportedOnce(t *testing.T) {
	var logBuf bytes.Buffer
	out := &failingWriter{fail: true}
	w := audit.NewWriter(out, slog.New(slog.NewTextHandler(&logBuf, nil)))
	for range 3 {
		w.Record(context.Background(), audit.Event{Type: audit.TypeConsent})
	}
	out.fail = false
	w.Record(context.Background(), audit.Event{Type: audit.TypeConsent})
	logged := logBuf.String()
	if n := strings.Count(logged, "events are being lost"); n != 1 {
		t.Errorf("failure logged %d times, want once:\n%s", n, logged)
	}
	if !strings.Contains(logged, "writing events again") {
		t.Errorf("recovery not logged:\n%s", logged)
	}
}

type collect struct {
	mu     sync.Mutex
	events []audit.Event
}

func (c *collect) Record(_ context.Context, e audit.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, e)
}

func TestMultiAndNop(t *testing.T) {
	a, b := &collect{}, &collect{}
	m := audit.Multi(a, nil, b)
	m.Record(context.Background(), audit.Event{Type: audit.TypeKeyRotation})
	if len(a.events) != 1 || len(b.events) != 1 {
		t.Errorf("Multi delivered %d and %d events, want 1 and 1", len(a.events), len(b.events))
	}
	audit.OrNop(nil).Record(context.Background(), audit.Event{}) // must not panic
	if got := audit.OrNop(a); got != a {
		t.Errorf("OrNop(a) = %v, want a itself", got)
	}
}

func TestAddress(t *testing.T) {
	ctx := audit.WithAddress(context.Background(), "192.0.2.1")
	if got := audit.AddressOf(ctx); got != "192.0.2.1" {
		t.Errorf("AddressOf = %q", got)
	}
	if got := audit.AddressOf(context.Background()); got != "" {
		t.Errorf("AddressOf(empty) = %q", got)
	}
}
