package registration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/registration/registrationtest"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
)

const (
	testMasterToken = "test-master-token"
	// testMasterSHA256 is its SHA-256, in capitals to show either case works.
	testMasterSHA256 = "97668EAF353B9D3722CA19CB4EA08A8C37F968810595D8DA9CF3F734DD2C43B6"
	testEndpoint     = "https://idp.example.com/clients"
)

var _ ClientStore = (*registrationtest.Store)(nil)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a Service over an in-memory store, with its HTTP face.
type env struct {
	svc      *Service
	store    *registrationtest.Store
	codec    *secrets.Codec
	verifier *secrets.Verifier
	clock    *clock
	http     http.Handler
}

func newEnv(t *testing.T, edit ...func(*Config)) *env {
	t.Helper()
	key := bytes.Repeat([]byte{7}, 32)
	codec, err := secrets.New(secrets.Params{MemoryKiB: 256, Iterations: 1, Parallelism: 1}, key, "test")
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{MasterTokenSHA256: testMasterSHA256, SecretRolloverWindow: 30 * time.Minute, Policy: testPolicy}
	for _, e := range edit {
		e(&cfg)
	}
	e := &env{store: registrationtest.New(), codec: codec, verifier: secrets.NewVerifier(codec, secrets.VerifierOptions{}), clock: newClock()}
	e.svc, err = NewService(Options{Store: e.store, Codec: codec,
		Verifier: e.verifier, Config: cfg, Endpoint: testEndpoint, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.http = router(NewHandler(e.svc, nil))
	return e
}

// router mounts h as the provider's router does.
func router(h *Handler) http.Handler {
	r := mux.NewRouter()
	entry := "/clients/{" + PathVar + "}"
	r.HandleFunc("/clients", h.Register).Methods(http.MethodPost)
	r.HandleFunc("/clients", h.List).Methods(http.MethodGet)
	r.HandleFunc(entry, h.Read).Methods(http.MethodGet)
	r.HandleFunc(entry, h.Replace).Methods(http.MethodPut)
	r.HandleFunc(entry, h.Delete).Methods(http.MethodDelete)
	return r
}

// parse reads a request body as the handler would.
func parse(t *testing.T, body string) *Request {
	t.Helper()
	req, err := ParseRequest([]byte(body))
	if err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	return req
}

// register creates a client with the master token.
func (e *env) register(t *testing.T, body string) ClientInfo {
	t.Helper()
	info, err := e.svc.Create(context.Background(), parse(t, body), Master)
	if err != nil {
		t.Fatalf("register %s: %v", body, err)
	}
	return info
}

func (e *env) get(t *testing.T, id string) oauth.Client {
	t.Helper()
	c, err := e.store.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// accepts tells whether the stored client takes secret now.
func (e *env) accepts(t *testing.T, id, secret string) bool {
	t.Helper()
	ok, err := e.verifier.CheckClient(context.Background(), e.get(t, id), secret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// snapshot is the whole store as JSON, to show a request changed nothing.
func (e *env) snapshot(t *testing.T) string {
	t.Helper()
	var all []oauth.Client
	for c, err := range e.store.List(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// response is one HTTP answer, decoded.
type response struct {
	status int
	header http.Header
	body   string
	json   map[string]any
}

func (r response) str(name string) string {
	s, _ := r.json[name].(string)
	return s
}

// do sends a request; header holds name, value pairs. Every answer of the
// registration endpoints must forbid caching.
func (e *env) do(t *testing.T, method, path, token, body string, header ...string) response {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.http.ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s %s: Cache-Control = %q", method, path, cc)
	}
	if rec.Body.Len() > 0 && strings.HasPrefix(strings.TrimSpace(res.body), "{") {
		if err := json.Unmarshal(rec.Body.Bytes(), &res.json); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, path, res.body)
		}
	}
	return res
}
