package provider

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// DefaultRequestTimeout is the deadline of a request when Options leave it
// unset (http.requestTimeout).
const DefaultRequestTimeout = 5 * time.Second

// answerMargin is how long past its deadline a handler may still take to
// write its own answer (usually the 503 it gets from a store whose call the
// deadline ended) before the guard answers in its place.
const answerMargin = time.Second

// withDeadline gives every request one deadline from its arrival, carried
// by the request's context to every directory and session-store call, so
// that a hung server costs a request at most timeout. The handler runs
// against a buffer; should it still not have answered timeout+answerMargin
// after arrival (a bug, or work that ignores its context), the guard answers
// 503 temporarily_unavailable itself and the handler's late output is
// dropped. No request is left without an answer, whatever a store does.
//
// The buffer costs a copy of each response body; bodies here are small
// (JSON documents and pages of a few kilobytes).
func (s *Server) withDeadline(next http.Handler) http.Handler {
	timeout := s.requestTimeout
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		bw := &bufferedWriter{header: w.Header().Clone()}
		done := make(chan any, 1)
		go func() {
			defer func() { done <- recover() }()
			next.ServeHTTP(bw, r.WithContext(ctx))
		}()
		guard := time.NewTimer(timeout + answerMargin)
		defer guard.Stop()
		select {
		case p := <-done:
			if p != nil {
				panic(p) // recoverPanics, outside, answers it
			}
			bw.copyTo(w)
		case <-guard.C:
			bw.abandon()
			s.log.Error("request outlived its deadline; answered 503 in its place",
				"method", r.Method, "path", r.URL.Path, "deadline", timeout)
			s.unavailableAnswer(w, r)
		}
	})
}

// unavailableAnswer is the answer of a request that ran out of time: the
// "try again later" page for a person, temporarily_unavailable for a
// program.
func (s *Server) unavailableAnswer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "1")
	if wantsHTML(r) {
		s.fail(w, r, http.StatusServiceUnavailable, "unavailable", "")
		return
	}
	oauth.ErrTemporarilyUnavailable().WithDescription("the service is temporarily unavailable").WriteJSON(w)
}

// bufferedWriter holds a handler's answer until the guard decides it may
// go out. Once abandoned it takes writes and drops them.
type bufferedWriter struct {
	mu     sync.Mutex
	header http.Header
	// sent is the header as it was when the status was written: as on a
	// real connection, what a handler sets after that does not go out.
	sent      http.Header
	status    int
	body      bytes.Buffer
	abandoned bool
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.status == 0 {
		b.status, b.sent = code, b.header.Clone()
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.status == 0 {
		b.status, b.sent = http.StatusOK, b.header.Clone()
	}
	if b.abandoned {
		return 0, http.ErrHandlerTimeout
	}
	return b.body.Write(p)
}

// abandon stops the buffer from growing after the guard has answered.
func (b *bufferedWriter) abandon() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.abandoned = true
	b.body = bytes.Buffer{}
}

// copyTo writes the handler's answer, headers included, to w. It runs only
// once the handler has returned, so nothing writes to b any more.
func (b *bufferedWriter) copyTo(w http.ResponseWriter) {
	status, header := b.status, b.sent
	if status == 0 {
		status, header = http.StatusOK, b.header
	}
	dst := w.Header()
	for k := range dst {
		if _, ok := header[k]; !ok {
			delete(dst, k)
		}
	}
	for k, v := range header {
		dst[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(b.body.Bytes()) // the client went away: no one to tell
}
