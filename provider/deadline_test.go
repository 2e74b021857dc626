package provider

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/templates"
)

// bareServer is a Server with only what the middleware needs.
func bareServer(t *testing.T, timeout time.Duration) *Server {
	t.Helper()
	pages, err := templates.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return &Server{pages: pages, log: slog.New(slog.DiscardHandler), requestTimeout: timeout}
}

func TestDeadlineAnswersForAHandlerThatHangs(t *testing.T) {
	for _, tc := range []struct {
		name, accept, wantType string
	}{
		{name: "program", accept: "application/json", wantType: "application/json"},
		{name: "person", accept: "text/html", wantType: "text/html; charset=utf-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := bareServer(t, 20*time.Millisecond)
			release := make(chan struct{})
			lateWrite := make(chan error, 1)
			h := s.withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				<-release // ignores its context, as a bug would
				_, err := w.Write([]byte("too late"))
				lateWrite <- err
			}))
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
			req.Header.Set("Accept", tc.accept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("no answer: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			close(release)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", resp.StatusCode)
			}
			if got := resp.Header.Get("Content-Type"); got != tc.wantType {
				t.Errorf("Content-Type %q, want %q", got, tc.wantType)
			}
			if resp.Header.Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			if tc.name == "program" && !strings.Contains(string(body), `"temporarily_unavailable"`) {
				t.Errorf("body %s", body)
			}
			if strings.Contains(string(body), "too late") {
				t.Error("the late output went out")
			}
			if err := <-lateWrite; !errors.Is(err, http.ErrHandlerTimeout) {
				t.Errorf("late write: %v, want ErrHandlerTimeout", err)
			}
		})
	}
}

func TestDeadlineIsOnTheRequestContext(t *testing.T) {
	s := bareServer(t, time.Second)
	var left time.Duration
	h := s.withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		deadline, ok := r.Context().Deadline()
		if !ok {
			t.Error("no deadline on the request context")
		}
		left = time.Until(deadline)
		<-r.Context().Done()
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
	}))
	s.requestTimeout = 30 * time.Millisecond
	h = s.withDeadline(h.(http.HandlerFunc))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if left <= 0 || left > 30*time.Millisecond {
		t.Errorf("time left at the handler %s, want (0, 30ms]", left)
	}
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d: the handler's own answer should go out", rec.Code)
	}
}

func TestDeadlineKeepsTheHandlersAnswer(t *testing.T) {
	s := bareServer(t, time.Second)
	h := s.withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		w.Header().Set("X-After", "ignored") // as on a real connection
		_, _ = w.Write([]byte(`{"a":1}`))
		w.WriteHeader(http.StatusOK) // superfluous: ignored
	}))
	rec := httptest.NewRecorder()
	rec.Header().Set("X-Outer", "kept") // set by middleware outside
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusTeapot || rec.Body.String() != `{"a":1}` {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
	if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("X-Outer") != "kept" {
		t.Errorf("headers lost: %v", rec.Header())
	}
	if rec.Header().Get("X-After") != "" {
		t.Error("a header set after the status went out")
	}
}

func TestPanicUnderTheDeadlineIsAnswered(t *testing.T) {
	s := bareServer(t, time.Second)
	h := s.withDeadline(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusInternalServerError || body["error"] != "server_error" {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestReadyNamesTheFailingStore(t *testing.T) {
	s := bareServer(t, time.Second)
	s.ready = []ReadyCheck{
		{Name: "directory", Check: func(context.Context) error { return nil }},
		{Name: "sessions", Check: func(context.Context) error { return errors.New("redis: connection refused") }},
	}
	rec := httptest.NewRecorder()
	s.serveReady(rec, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", rec.Code)
	}
	var body healthBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Status != "unavailable" || body.Checks["sessions"] != "unavailable" || body.Checks["directory"] != "ok" ||
		len(body.Failing) != 1 || body.Failing[0] != "sessions" || body.Directory != "ok" {
		t.Errorf("body %s", rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "refused") {
		t.Error("the cause leaked into the body")
	}
}

func TestDrainTurnsReadyAndClosesConnections(t *testing.T) {
	s := bareServer(t, time.Second)
	s.ready = []ReadyCheck{{Name: "directory", Check: func(context.Context) error { return nil }}}
	h := s.closeWhenDraining(http.HandlerFunc(s.serveReady))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Connection") != "" {
		t.Fatalf("before the drain: %d, Connection %q", rec.Code, rec.Header().Get("Connection"))
	}
	s.Drain()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health/ready", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"draining"`) {
		t.Errorf("while draining: %d %s", rec.Code, rec.Body.String())
	}
	if rec.Header().Get("Connection") != "close" {
		t.Error("no Connection: close while draining")
	}
}
