package main

import (
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/redistest"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// Flood sizes: enough flows to overrun the per-address bound many times
// over, few enough to keep the test at seconds under -race.
const (
	floodRequests = 1000
	floodWorkers  = 16
	realSignIns   = 4
)

// sessionStores are the session stores a test runs on, each as the
// configuration lines that choose it (a private redis-server for Redis).
var sessionStores = []struct {
	name   string
	config func(t *testing.T) string
}{
	{"memory", func(*testing.T) string { return "" }},
	{"redis", func(t *testing.T) string {
		rds := redistest.New(t, redistest.Options{})
		return fmt.Sprintf("sessions: {store: redis, redis: {addrs: [%q]}}\n", rds.Addr)
	}},
}

// TestFloodCannotLockOutSignIn: one client floods /authorize without
// cookies, each request with a long state, while people sign in from
// another address. Every person gets a code, none is told
// temporarily_unavailable, and the flooder's pending flows stay within the
// per-address bound: the oldest were evicted, not the newcomers refused.
func TestFloodCannotLockOutSignIn(t *testing.T) {
	for _, st := range sessionStores {
		t.Run(st.name, func(t *testing.T) {
			s := startFloodServer(t, st.config(t))
			const redirectURI = "http://127.0.0.1:9/flood"
			clientID := registerClient(t, s, redirectURI)
			target := s.base + authorizeURL(clientID, redirectURI, url.Values{"state": {strings.Repeat("s", 2000)}})

			f := startFlood(t, target, "127.0.0.3")
			for i := range realSignIns {
				signInThroughFlood(t, s, clientID, redirectURI, i)
			}
			flows := f.wait(t)
			if len(flows) != floodRequests {
				t.Fatalf("%d of %d flood requests were sent to the login page", len(flows), floodRequests)
			}
			alive := countAlive(t, s, flows)
			if alive == 0 || alive > session.DefaultPendingPerGroup {
				t.Fatalf("%d of the flooder's %d flows alive, want 1 to %d", alive, len(flows), session.DefaultPendingPerGroup)
			}
		})
	}
}

func startFloodServer(t *testing.T, extra string) *server {
	t.Helper()
	s, _ := startSignInServerWith(t, extra)
	return s
}

// flood sends GET requests to one URL from one address, without cookies,
// until it has sent its number; it records the flow of each answer.
type flood struct {
	mu    sync.Mutex
	flows []string
	fails []string
	sent  atomic.Int64
	wg    sync.WaitGroup
}

func startFlood(t *testing.T, target, from string) *flood {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	tr := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: floodWorkers}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	f := &flood{}
	for range floodWorkers {
		f.wg.Go(func() {
			for f.sent.Add(1) <= floodRequests {
				f.record(floodOnce(client, target))
			}
		})
	}
	return f
}

// floodOnce asks once and returns the flow it was sent to log in to.
// hiddenFlow finds the login page's flow input.
var hiddenFlow = regexp.MustCompile(`name="flow" value="([^"]*)"`)

func floodOnce(client *http.Client, target string) (string, error) {
	resp, err := client.Get(target)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	m := hiddenFlow.FindSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		return "", fmt.Errorf("%d, no login page", resp.StatusCode)
	}
	return html.UnescapeString(string(m[1])), nil
}

func (f *flood) record(flow string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.fails = append(f.fails, err.Error())
		return
	}
	f.flows = append(f.flows, flow)
}

// wait waits for the flood to end and returns the flows it started.
func (f *flood) wait(t *testing.T) []string {
	t.Helper()
	f.wg.Wait()
	if len(f.fails) > 0 {
		t.Fatalf("%d flood requests failed, the first: %s", len(f.fails), f.fails[0])
	}
	return f.flows
}

// signInThroughFlood is one person's whole sign-in, from an address of
// their own: it must end with a code at the client.
func signInThroughFlood(t *testing.T, s *server, clientID, redirectURI string, n int) {
	t.Helper()
	b := newBrowserFrom(t, s, "127.0.0.2")
	p := b.do(http.MethodGet, authorizeURL(clientID, redirectURI, nil), nil)
	if !isLoginPage(p) {
		t.Fatalf("sign-in %d: authorize: %d %q (flood under way)", n, p.status, p.location)
	}
	f := formFields(t, b.next(p))
	f.Set("username", "alice")
	f.Set("password", "alice-password")
	p = b.do(http.MethodPost, "/login", f)
	if isConsentPage(p) {
		cf := formFields(t, b.next(p))
		cf.Set("decision", "allow")
		p = b.do(http.MethodPost, "/consent", cf)
	}
	got := callbackParams(t, p, redirectURI)
	if got.Get("code") == "" || got.Get("error") != "" {
		t.Fatalf("sign-in %d during the flood: %v", n, got)
	}
}

// countAlive asks the login page of each flow whether it is still there.
func countAlive(t *testing.T, s *server, flows []string) int {
	t.Helper()
	var alive, odd atomic.Int64
	work := make(chan string)
	var wg sync.WaitGroup
	for range floodWorkers {
		wg.Go(func() {
			for id := range work {
				switch status := loginStatus(s, id); status {
				case http.StatusOK:
					alive.Add(1)
				case http.StatusBadRequest: // evicted: "sign-in expired"
				default:
					odd.Add(1)
				}
			}
		})
	}
	for _, id := range flows {
		work <- id
	}
	close(work)
	wg.Wait()
	if n := odd.Load(); n > 0 {
		t.Fatalf("%d login pages answered neither 200 nor 400", n)
	}
	return int(alive.Load())
}

func loginStatus(s *server, flow string) int {
	resp, err := http.Get(s.base + "/login?flow=" + url.QueryEscape(flow))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
