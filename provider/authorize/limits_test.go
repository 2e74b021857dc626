package authorize

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// fill returns prefix padded with c to exactly n bytes, closed by suffix.
func fill(prefix string, c byte, n int, suffix string) string {
	return prefix + strings.Repeat(string(c), n-len(prefix)-len(suffix)) + suffix
}

// spacedScope returns k distinct scope values, padded with spaces to n
// bytes in all when they are shorter.
func spacedScope(k, n int) string {
	vals := make([]string, k)
	for i := range vals {
		vals[i] = "s" + strconv.Itoa(i)
	}
	s := strings.Join(vals, " ")
	return s + strings.Repeat(" ", max(0, n-len(s)))
}

// TestParameterLimits: every bounded parameter is taken at its limit and
// refused one byte beyond it, with invalid_request naming it, redirected
// (the client is known by then) and without echoing an overlong state.
func TestParameterLimits(t *testing.T) {
	tests := []struct {
		param string
		// atLimit and overLimit are the values to send.
		atLimit, overLimit string
	}{
		{paramState, fill("s", 'a', oauth.MaxState, ""), fill("s", 'a', oauth.MaxState+1, "")},
		{paramNonce, fill("n", 'a', oauth.MaxNonce, ""), fill("n", 'a', oauth.MaxNonce+1, "")},
		{paramScope, spacedScope(10, oauth.MaxScope), spacedScope(10, oauth.MaxScope+1)},
		{paramPrompt, fill("login", ' ', oauth.MaxPrompt, "login"), fill("login", ' ', oauth.MaxPrompt+1, "login")},
		{paramDisplay, fill("page", ' ', oauth.MaxDisplay, ""), fill("page", ' ', oauth.MaxDisplay+1, "")},
		{paramUILocales, fill("en", ' ', oauth.MaxUILocales, "de"), fill("en", ' ', oauth.MaxUILocales+1, "de")},
		{paramClaimsLocales, fill("en", ' ', oauth.MaxClaimsLocales, "de"), fill("en", ' ', oauth.MaxClaimsLocales+1, "de")},
		{paramACRValues, fill("urn:", 'a', oauth.MaxACRValues, ""), fill("urn:", 'a', oauth.MaxACRValues+1, "")},
		{paramMaxAge, fill("", '0', oauth.MaxMaxAge, "60"), fill("", '0', oauth.MaxMaxAge+1, "60")},
		{paramLoginHint, fill("alice", 'a', oauth.MaxLoginHint, ""), fill("alice", 'a', oauth.MaxLoginHint+1, "")},
		{paramIDTokenHint, fill("ey", 'a', oauth.MaxIDTokenHint, ""), fill("ey", 'a', oauth.MaxIDTokenHint+1, "")},
		{paramClaims, fill(`{"userinfo":{"email":null}}`, ' ', oauth.MaxClaims, ""), fill(`{"userinfo":{"email":null}}`, ' ', oauth.MaxClaims+1, "")},
		{paramCodeChallenge, fill("", 'A', oauth.MaxCodeChallenge, ""), fill("", 'A', oauth.MaxCodeChallenge+1, "")},
		{paramResponseType, fill("code", ' ', oauth.MaxResponseType, ""), fill("code", ' ', oauth.MaxResponseType+1, "")},
		{paramResponseMode, fill("query", ' ', oauth.MaxResponseMode, ""), fill("query", ' ', oauth.MaxResponseMode+1, "")},
	}
	for _, tc := range tests {
		t.Run(tc.param, func(t *testing.T) {
			if len(tc.atLimit) != len(tc.overLimit)-1 {
				t.Fatalf("test values of %d and %d bytes", len(tc.atLimit), len(tc.overLimit))
			}
			_, f := parse(t, getRequest(with(baseQuery(), tc.param, tc.atLimit)), testDeps())
			if f != nil && strings.Contains(f.Err.Description, "longer than") {
				t.Errorf("at the limit (%d bytes): %v", len(tc.atLimit), f)
			}
			_, f = parse(t, getRequest(with(baseQuery(), tc.param, tc.overLimit)), testDeps())
			want := errorCase{query: with(baseQuery(), tc.param, tc.overLimit), code: "invalid_request", param: tc.param,
				noState: tc.param == paramState}
			if f == nil {
				t.Fatalf("%d bytes accepted", len(tc.overLimit))
			}
			checkFailure(t, f, want)
			if !strings.Contains(f.Err.Description, "longer than") {
				t.Errorf("description %q", f.Err.Description)
			}
		})
	}
}

// TestFreeTextAtLimitsIsKept: free-text parameters at their limits come
// through whole, and the request still fits the flow store.
func TestFreeTextAtLimitsIsKept(t *testing.T) {
	q := with(baseQuery(),
		paramState, fill("s", 'a', oauth.MaxState, ""),
		paramNonce, fill("n", 'a', oauth.MaxNonce, ""),
		paramLoginHint, fill("alice", 'a', oauth.MaxLoginHint, ""),
		paramIDTokenHint, fill("ey", 'a', oauth.MaxIDTokenHint, ""),
		paramACRValues, fill("urn:", 'a', oauth.MaxACRValues, ""),
		paramClaims, fill(`{"userinfo":{"email":null}}`, ' ', oauth.MaxClaims, ""),
		paramScope, spacedScope(oauth.MaxScopeValues, oauth.MaxScope),
		paramMaxAge, fill("", '0', oauth.MaxMaxAge, "60"),
	)
	r := postRequest(q, "application/x-www-form-urlencoded")
	req := mustParse(t, r, testDeps())
	if len(req.State) != oauth.MaxState || len(req.Nonce) != oauth.MaxNonce || len(req.LoginHint) != oauth.MaxLoginHint ||
		len(req.IDTokenHint) != oauth.MaxIDTokenHint || len(req.Scopes) != oauth.MaxScopeValues || *req.MaxAge != 60 {
		t.Errorf("values changed: state %d, nonce %d, login_hint %d, id_token_hint %d, %d scopes",
			len(req.State), len(req.Nonce), len(req.LoginHint), len(req.IDTokenHint), len(req.Scopes))
	}
	b, err := json.Marshal(req)
	if err != nil || len(b) > maxStoredRequest {
		t.Errorf("stored form: %d bytes, %v", len(b), err)
	}
	if maxStoredRequest > session.DefaultMaxValueBytes-8<<10 {
		t.Errorf("maxStoredRequest %d leaves too little room below the store's %d", maxStoredRequest, session.DefaultMaxValueBytes)
	}
}

// TestStoredSizeLimit: parameters each within limits that JSON escaping
// blows up past what a flow can keep are invalid_request, not an outage
// later.
func TestStoredSizeLimit(t *testing.T) {
	claims := fill(`{"userinfo":{"email":{"value":"`, '<', oauth.MaxClaims, `"}}}`)
	q := with(baseQuery(), paramClaims, claims, paramState, fill("<", '<', oauth.MaxState, ""))
	_, f := parse(t, postRequest(q, "application/x-www-form-urlencoded"), testDeps())
	if f == nil {
		t.Fatal("accepted")
	}
	if f.Err.Code != "invalid_request" || f.Err.Description != "the request is too large" || f.Redirect == nil {
		t.Errorf("got %v, redirected %v", f.Err, f.Redirect != nil)
	}
}

func TestScopeValueCount(t *testing.T) {
	tests := []struct {
		name  string
		count int
		ok    bool
	}{
		{"at the limit", oauth.MaxScopeValues, true},
		{"one more", oauth.MaxScopeValues + 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scope := spacedScope(tc.count, 0)
			req, f := parse(t, getRequest(with(baseQuery(), paramScope, scope)), testDeps())
			switch {
			case tc.ok && f != nil:
				t.Errorf("refused: %v", f)
			case tc.ok && len(req.Scopes) != tc.count:
				t.Errorf("%d scopes", len(req.Scopes))
			case !tc.ok:
				checkFailure(t, f, errorCase{query: baseQuery(), code: "invalid_request", param: paramScope})
			}
		})
	}
}

// TestClientIDLimit: an ID beyond the limit is an unknown client, shown,
// and the directory is not asked.
func TestClientIDLimit(t *testing.T) {
	tests := []struct {
		name      string
		length    int
		wantAsked bool
	}{
		{"at the limit", oauth.MaxClientID, true},
		{"one more", oauth.MaxClientID + 1, false},
		{"32 KiB", 32 << 10, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			asked := false
			deps := testDeps()
			deps.Clients = func(ctx context.Context, id string) (oauth.Client, error) {
				asked = true
				return lookup(testClients())(ctx, id)
			}
			id := strings.Repeat("c", tc.length)
			_, f := parse(t, postRequest(with(baseQuery(), paramClientID, id), "application/x-www-form-urlencoded"), deps)
			if f == nil {
				t.Fatal("accepted")
			}
			checkFailure(t, f, errorCase{code: "invalid_request", shown: true, param: paramClientID})
			if !strings.HasPrefix(f.Err.Description, "client_id: no client") || len(f.Err.Description) > 200 || len(f.ClientID) > oauth.MaxClientID {
				t.Errorf("description %q (%d bytes), logged id of %d bytes", f.Err.Description[:min(80, len(f.Err.Description))], len(f.Err.Description), len(f.ClientID))
			}
			if asked != tc.wantAsked {
				t.Errorf("directory asked: %v, want %v", asked, tc.wantAsked)
			}
		})
	}
}

// TestRedirectURILimit: a registered URI at the limit works; one byte more
// is shown (the URI is not trusted), naming redirect_uri.
func TestRedirectURILimit(t *testing.T) {
	atLimit := fill(webCallback+"?p=", 'a', oauth.MaxRedirectURI, "")
	over := atLimit + "a"
	clients := testClients()
	clients["long"] = oauth.Client{ID: "long", Metadata: oauth.Metadata{RedirectURIs: []string{atLimit, over}}}
	deps := testDeps()
	deps.Clients = lookup(clients)

	req := mustParse(t, getRequest(with(baseQuery(), paramClientID, "long", paramRedirectURI, atLimit)), deps)
	if req.RedirectURI != atLimit {
		t.Errorf("redirect URI of %d bytes", len(req.RedirectURI))
	}
	_, f := parse(t, getRequest(with(baseQuery(), paramClientID, "long", paramRedirectURI, over)), deps)
	if f == nil {
		t.Fatal("accepted")
	}
	checkFailure(t, f, errorCase{code: "invalid_request", shown: true, param: paramRedirectURI})
}

// TestWholeRequestLimit: a query or body beyond 64 KiB is refused before
// anything is looked up.
func TestWholeRequestLimit(t *testing.T) {
	big := with(baseQuery(), "extension", strings.Repeat("x", oauth.MaxAuthorizationRequest))
	for name, r := range map[string]*http.Request{
		"GET":  getRequest(big),
		"POST": postRequest(big, "application/x-www-form-urlencoded"),
	} {
		t.Run(name, func(t *testing.T) {
			deps := testDeps()
			deps.Clients = func(context.Context, string) (oauth.Client, error) {
				t.Error("client looked up")
				return oauth.Client{}, nil
			}
			_, f := parse(t, r, deps)
			if f == nil || f.Err.Code != "invalid_request" || f.Redirect != nil {
				t.Errorf("got %v", f)
			}
		})
	}
	// Just under the limit, the extension is ignored and the request works.
	q := baseQuery()
	q.Set("extension", strings.Repeat("x", oauth.MaxAuthorizationRequest-len(q.Encode())-len("&extension=")))
	if len(q.Encode()) != oauth.MaxAuthorizationRequest {
		t.Fatalf("query of %d bytes", len(q.Encode()))
	}
	mustParse(t, getRequest(q), testDeps())
}

// TestRequestObjectLimits: request by value and request_uri beyond their
// limits are refused to the outer redirect URI before anything is fetched
// or verified.
func TestRequestObjectLimits(t *testing.T) {
	tests := []struct {
		name  string
		query url.Values
		param string
	}{
		{"request", jarQuery(fill("e30.", 'a', oauth.MaxRequestObject+1, "")), paramRequest},
		{"request_uri", jarQuery("x", "request", "-", "request_uri", fill("https://objects.example.com/ro/", 'a', oauth.MaxRequestURI+1, "")), paramRequestURI},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			deps := testDeps()
			deps.Keys = &countingFetcher{t: t}
			_, f := parse(t, getRequest(tc.query), deps)
			if f == nil {
				t.Fatal("accepted")
			}
			checkFailure(t, f, errorCase{query: tc.query, code: "invalid_request", param: tc.param, uri: "https://rp.example.com/jar"})
		})
	}
}

// countingFetcher serves body as every request object, and fails the test
// when asked for a key set.
type countingFetcher struct {
	t       *testing.T
	body    []byte
	fetched int
}

func (f *countingFetcher) KeySet(context.Context, string, bool) (jose.JSONWebKeySet, error) {
	f.t.Error("key set fetched")
	return jose.JSONWebKeySet{}, nil
}

func (f *countingFetcher) RequestObject(context.Context, string) ([]byte, error) {
	f.fetched++
	return f.body, nil
}

// TestFetchedRequestObjectLimit: an object fetched from request_uri is held
// to the same limit as one sent by value.
func TestFetchedRequestObjectLimit(t *testing.T) {
	deps := testDeps()
	fetcher := &countingFetcher{t: t, body: []byte(fill("e30.", 'a', oauth.MaxRequestObject+1, ""))}
	deps.Keys = fetcher
	query := jarQuery("x", "request", "-", "request_uri", "https://objects.example.com/ro/1")
	_, f := parse(t, getRequest(query), deps)
	if f == nil {
		t.Fatal("accepted")
	}
	checkFailure(t, f, errorCase{query: query, code: "invalid_request_uri", param: paramRequestURI, uri: "https://rp.example.com/jar"})
	if fetcher.fetched != 1 || !strings.Contains(f.Err.Description, "longer than") {
		t.Errorf("fetched %d times; %q", fetcher.fetched, f.Err.Description)
	}
}
