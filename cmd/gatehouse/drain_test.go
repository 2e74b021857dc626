package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
)

// TestDrainOnShutdown stops a loaded server the way an orchestrator does
// (SIGTERM) with clients that behave like a load balancer: they keep
// sending on kept-alive connections until /health/ready says the instance
// is leaving. Not one request may fail, and the connections must be told
// to close.
func TestDrainOnShutdown(t *testing.T) {
	s := startServe(t, embeddedConfig(t)+"http: {drainPeriod: 1s}\n")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	var leaving atomic.Bool
	var sent, failed, closing atomic.Int64
	var firstErr atomic.Value
	const workers, maxPerWorker = 8, 20_000
	loaded := make(chan struct{})
	var loadedOnce sync.Once
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := 0; i < maxPerWorker && !leaving.Load(); i++ {
				// A POST is never retried by the client: a reset shows.
				resp, err := client.Post(s.base+"/token", "application/x-www-form-urlencoded", strings.NewReader("grant_type=x"))
				if sent.Add(1) == 200 {
					loadedOnce.Do(func() { close(loaded) })
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.Close {
					closing.Add(1)
				}
			}
		})
	}
	// The "load balancer": polls readiness and takes the instance out.
	polled := make(chan int, 1)
	go func() {
		for {
			resp, err := client.Get(s.base + "/health/ready")
			if err != nil {
				leaving.Store(true)
				polled <- -1
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable {
				leaving.Store(true)
				polled <- resp.StatusCode
				return
			}
		}
	}()
	<-loaded
	s.cancel() // SIGTERM
	if got := <-polled; got != http.StatusServiceUnavailable {
		t.Fatalf("readiness did not turn 503 while the instance drained (poll error)")
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d requests failed during the drain; first: %v", n, sent.Load(), firstErr.Load())
	}
	if closing.Load() == 0 {
		t.Error("no answer asked the client to close its connection while draining")
	}
	if code := s.stop(t); code != 0 {
		t.Errorf("exit code %d", code)
	}
	s.log.waitFor(t, "draining")
}

// TestReadyNamesTheSessionStore: with Redis stopped (hung, not dead),
// /health/ready answers 503 within its bound and names the session store,
// and turns ready again when Redis answers.
func TestReadyNamesTheSessionStore(t *testing.T) {
	rds := redistest.New(t, redistest.Options{})
	s := startServe(t, embeddedConfig(t)+fmt.Sprintf("sessions: {store: redis, redis: {addrs: [%q]}}\n", rds.Addr))
	if status, body := s.get(t, "/health/ready"); status != http.StatusOK || !strings.Contains(body, `"sessions":"ok"`) {
		t.Fatalf("ready: %d %s", status, body)
	}
	if err := rds.Pause(); err != nil {
		t.Fatal(err)
	}
	status, body := s.get(t, "/health/ready")
	if err := rds.Resume(); err != nil {
		t.Fatal(err)
	}
	if status != http.StatusServiceUnavailable || !strings.Contains(body, `"failing":["sessions"]`) || !strings.Contains(body, `"directory":"ok"`) {
		t.Errorf("ready with Redis hung: %d %s", status, body)
	}
	if status, body := s.get(t, "/health/ready"); status != http.StatusOK {
		t.Errorf("ready after Redis came back: %d %s", status, body)
	}
}
