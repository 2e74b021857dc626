package authorize

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

func TestParsePushed(t *testing.T) {
	deps := testDeps()
	client := func(id string) oauth.Client {
		c, err := deps.Clients(context.Background(), id)
		if err != nil {
			t.Fatalf("no test client %s", id)
		}
		return c
	}
	tests := []struct {
		name, client string
		form         url.Values
		require      bool
		code, desc   string
	}{
		{name: "valid", client: testClientID, form: baseQuery()},
		{name: "client_id may be left out", client: testClientID, form: with(baseQuery(), "client_id", "-")},
		{name: "a client that requires pushed requests", client: "par", form: with(baseQuery(), "client_id", "par")},
		{name: "the server requires pushed requests", client: testClientID, form: baseQuery(), require: true},
		{name: "request_uri", client: testClientID, form: with(baseQuery(), "request_uri", PushedURIPrefix+"x"), code: "invalid_request", desc: "request_uri"},
		{name: "client_id of another client", client: testClientID, form: with(baseQuery(), "client_id", "single"), code: "invalid_request", desc: "authenticated client"},
		{name: "unregistered redirect_uri is JSON, not a page", client: testClientID, form: with(baseQuery(), "redirect_uri", "https://evil.example/cb"), code: "invalid_request", desc: "redirect_uri"},
		{name: "bad scope is JSON, not a redirect", client: "scoped", form: with(baseQuery(), "client_id", "scoped", "scope", "openid email"), code: "invalid_scope"},
		{name: "state repeated", client: testClientID, form: func() url.Values { v := baseQuery(); v.Add("state", "2"); return v }(), code: "invalid_request", desc: "more than once"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := deps
			d.Config.RequirePushed = tc.require
			req, e := ParsePushed(context.Background(), tc.form, client(tc.client), d)
			if tc.code == "" {
				if e != nil || req.ClientID != tc.client || req.State != "xyz" {
					t.Fatalf("ParsePushed = %+v, %v", req, e)
				}
				return
			}
			if e == nil || e.Code != tc.code || !strings.Contains(e.Description, tc.desc) {
				t.Fatalf("error %v, want %s mentioning %q", e, tc.code, tc.desc)
			}
		})
	}
}

func TestAuthorizeWithPushedRequest(t *testing.T) {
	pushed, e := ParsePushed(context.Background(), with(baseQuery(), "state", "pushed"), testClients()[testClientID], testDeps())
	if e != nil {
		t.Fatal(e)
	}
	store := map[string]Request{"web/" + PushedURIPrefix + "ok": pushed}
	deps := testDeps()
	deps.Config.RequirePushed = true
	deps.Pushed = func(_ context.Context, clientID, uri string) (Request, error) {
		if uri == PushedURIPrefix+"down" {
			return Request{}, storage.ErrUnavailable
		}
		req, ok := store[clientID+"/"+uri]
		if !ok {
			return Request{}, storage.ErrNotFound
		}
		delete(store, clientID+"/"+uri)
		return req, nil
	}
	query := func(clientID, uri string, extra ...string) *http.Request {
		return getRequest(with(url.Values{"client_id": {clientID}, "request_uri": {uri}}, extra...))
	}

	req, err := Parse(context.Background(), query(testClientID, PushedURIPrefix+"ok", "state", "outer", "scope", "openid"), deps)
	if err != nil || req.State != "pushed" || req.Client.ID != testClientID || len(req.Scopes) != 2 {
		t.Fatalf("Parse = %+v, %v", req, err)
	}
	for _, tc := range []struct {
		name, client, uri, code string
	}{
		{"taken before", testClientID, PushedURIPrefix + "ok", "invalid_request_uri"},
		{"unknown", testClientID, PushedURIPrefix + "nope", "invalid_request_uri"},
		{"store down", testClientID, PushedURIPrefix + "down", "temporarily_unavailable"},
		{"not pushed, while pushed requests are required", testClientID, "https://rp.example/ro", "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(context.Background(), query(tc.client, tc.uri), deps)
			var f *Failure
			if !errors.As(err, &f) || f.Err.Code != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			if tc.code != "invalid_request" && f.Redirect != nil {
				t.Errorf("redirected; a pushed request's errors are pages")
			}
		})
	}
}
