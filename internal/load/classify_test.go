package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestClassifyRealTransportErrors: the classes come from what net/http
// really returns when a server misbehaves, not from hand-made errors.
func TestClassifyRealTransportErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/close": // read the request, then hang up without a word
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		case "/reset": // hang up with a TCP reset
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}
		case "/hang":
			<-r.Context().Done()
		case "/500":
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	refused := closedAddr(t)

	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		want    string
	}{
		{name: "connection closed", url: srv.URL + "/close", want: ClassEOF},
		{name: "connection reset", url: srv.URL + "/reset", want: ClassReset},
		{name: "no answer in time", url: srv.URL + "/hang", timeout: 50 * time.Millisecond, want: ClassTimeout},
		{name: "nothing listening", url: "http://" + refused + "/", want: ClassRefused},
		{name: "a 500 is an answer", url: srv.URL + "/500", want: "http_500"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			err := get(ctx, client, tc.url)
			if got := Classify(t.Context(), err); got != tc.want {
				t.Errorf("Classify(%v) = %q, want %q", err, got, tc.want)
			}
		})
	}
}

func get(ctx context.Context, client *http.Client, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &StatusError{Step: "GET " + url, Status: resp.StatusCode}
	}
	return nil
}

func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestClassifyScenarioErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{name: "success", ctx: context.Background(), err: nil, want: ClassOK},
		{name: "wrapped status", ctx: context.Background(), err: fmt.Errorf("step: %w", &StatusError{Status: 503}), want: "http_503"},
		{name: "bad answer", ctx: context.Background(), err: &BadAnswerError{Step: "POST /token", Reason: "no access_token"}, want: ClassBadAnswer},
		{name: "the run was interrupted", ctx: canceled, err: context.Canceled, want: ClassCanceled},
		{name: "canceled without the run ending is a transport failure", ctx: context.Background(), err: context.Canceled, want: ClassTransport},
		{name: "anything else", ctx: context.Background(), err: errors.New("tls: bad certificate"), want: ClassTransport},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.ctx, tc.err); got != tc.want {
				t.Errorf("Classify = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestIsNoAnswer(t *testing.T) {
	for class, want := range map[string]bool{
		ClassTimeout: true, ClassReset: true, ClassEOF: true, ClassTransport: true,
		ClassRefused: false, ClassOK: false, "http_500": false, ClassBadAnswer: false, ClassDropped: false,
	} {
		if IsNoAnswer(class) != want {
			t.Errorf("IsNoAnswer(%q) = %v, want %v", class, !want, want)
		}
	}
}
