package registration

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAuthorisation(t *testing.T) {
	e := newEnv(t)
	a := e.register(t, `{`+redirect+`,"preferred_client_id":"client-a"}`)
	b := e.register(t, `{`+redirect+`,"preferred_client_id":"client-b"}`)
	// ghost names a client that does not exist, in the shape we issue.
	ghost, err := newRegistrationToken("nobody")
	if err != nil {
		t.Fatal(err)
	}
	tok := map[string]string{
		"none":   "",
		"master": testMasterToken,
		"wrong":  "not-a-token",
		"own":    a.RegistrationToken,
		"other":  b.RegistrationToken,
		"ghost":  ghost,
		// the right random part with another client's name
		"forged": strings.SplitN(a.RegistrationToken, ".", 2)[0] + "." + strings.SplitN(b.RegistrationToken, ".", 2)[1],
	}
	tests := []struct {
		method, path, token string
		status              int
		code, challenge     string
	}{
		{http.MethodPost, "/clients", "none", 401, "invalid_token", "Bearer"},
		{http.MethodPost, "/clients", "wrong", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodPost, "/clients", "own", 403, "insufficient_scope", `Bearer error="insufficient_scope"`},
		{http.MethodPost, "/clients", "master", 201, "", ""},
		{http.MethodGet, "/clients", "none", 401, "invalid_token", "Bearer"},
		{http.MethodGet, "/clients", "wrong", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodGet, "/clients", "own", 403, "insufficient_scope", `Bearer error="insufficient_scope"`},
		{http.MethodGet, "/clients", "master", 200, "", ""},
		{http.MethodGet, "/clients/client-a", "none", 401, "invalid_token", "Bearer"},
		{http.MethodGet, "/clients/client-a", "wrong", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodGet, "/clients/client-a", "ghost", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodGet, "/clients/client-a", "forged", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodGet, "/clients/client-a", "other", 403, "insufficient_scope", `Bearer error="insufficient_scope"`},
		{http.MethodGet, "/clients/client-a", "own", 200, "", ""},
		{http.MethodGet, "/clients/client-a", "master", 200, "", ""},
		{http.MethodGet, "/clients/unknown", "master", 404, "not_found", ""},
		{http.MethodGet, "/clients/unknown", "own", 403, "insufficient_scope", `Bearer error="insufficient_scope"`},
		{http.MethodGet, "/clients/unknown", "wrong", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodPut, "/clients/client-a", "none", 401, "invalid_token", "Bearer"},
		{http.MethodPut, "/clients/client-a", "wrong", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodPut, "/clients/client-a", "other", 403, "insufficient_scope", `Bearer error="insufficient_scope"`},
		{http.MethodPut, "/clients/client-a", "own", 200, "", ""},
		{http.MethodPut, "/clients/client-a", "master", 200, "", ""},
		{http.MethodPut, "/clients/unknown", "master", 404, "not_found", ""},
		{http.MethodDelete, "/clients/client-a", "none", 401, "invalid_token", "Bearer"},
		{http.MethodDelete, "/clients/client-a", "wrong", 401, "invalid_token", `Bearer error="invalid_token"`},
		{http.MethodDelete, "/clients/client-a", "other", 403, "insufficient_scope", `Bearer error="insufficient_scope"`},
		{http.MethodDelete, "/clients/unknown", "master", 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path+" with "+tc.token, func(t *testing.T) {
			body := ""
			if tc.method == http.MethodPost || tc.method == http.MethodPut {
				body = `{` + redirect + `}`
			}
			before := e.snapshot(t)
			res := e.do(t, tc.method, tc.path, tok[tc.token], body)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.code != "" {
				if res.str("error") != tc.code || res.str("error_description") == "" {
					t.Errorf("body %s, want error %s with a description", res.body, tc.code)
				}
				if after := e.snapshot(t); after != before {
					t.Error("a refused request changed the store")
				}
			}
			if got := res.header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
			}
		})
	}
	// Last: the client deletes itself; its token then opens nothing.
	if res := e.do(t, http.MethodDelete, "/clients/client-a", tok["own"], ""); res.status != http.StatusNoContent || res.body != "" {
		t.Fatalf("delete: %d %s", res.status, res.body)
	}
	if res := e.do(t, http.MethodGet, "/clients/client-a", tok["own"], ""); res.status != http.StatusUnauthorized {
		t.Errorf("read after delete with its token: %d, want 401 (RFC 7592 §2.1)", res.status)
	}
	if res := e.do(t, http.MethodGet, "/clients/client-a", testMasterToken, ""); res.status != http.StatusNotFound {
		t.Errorf("read after delete with the master token: %d, want 404", res.status)
	}
}

func TestRegisterResponse(t *testing.T) {
	e := newEnv(t)
	res := e.do(t, http.MethodPost, "/clients", testMasterToken,
		`{`+redirect+`,"client_name":"RP","client_name#de":"Vertrauende Partei","scope":"openid email","x-extension":{"a":[1]}}`)
	if res.status != http.StatusCreated {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	id := res.str("client_id")
	for name, want := range map[string]any{
		"client_id_issued_at":        float64(e.clock.Now().Unix()),
		"client_secret_expires_at":   float64(0),
		"registration_client_uri":    testEndpoint + "/" + id,
		"token_endpoint_auth_method": "client_secret_basic",
		"client_name#de":             "Vertrauende Partei",
		"scope":                      "openid email",
	} {
		if res.json[name] != want {
			t.Errorf("%s = %v, want %v", name, res.json[name], want)
		}
	}
	if res.str("client_secret") == "" || res.str("registration_access_token") == "" {
		t.Errorf("secret or token missing: %s", res.body)
	}
	if ext, _ := json.Marshal(res.json["x-extension"]); string(ext) != `{"a":[1]}` {
		t.Errorf("unknown member came back as %s", ext)
	}
	// Reading shows the metadata but neither secret nor token again.
	read := e.do(t, http.MethodGet, "/clients/"+id, res.str("registration_access_token"), "")
	if read.status != http.StatusOK || read.json["client_secret"] != nil || read.json["registration_access_token"] != nil ||
		read.json["client_secret_expires_at"] != float64(0) || read.str("client_name") != "RP" {
		t.Errorf("read: %d %s", read.status, read.body)
	}
	// A client may send back what it read (RFC 7592 §2.2 members it must
	// not send are ignored); the secret stays.
	put := e.do(t, http.MethodPut, "/clients/"+id, res.str("registration_access_token"), read.body)
	if put.status != http.StatusOK || put.json["client_secret"] != nil {
		t.Errorf("put of the read document: %d %s", put.status, put.body)
	}
	if !e.accepts(t, id, res.str("client_secret")) {
		t.Error("the secret changed")
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	e.register(t, `{`+redirect+`,"preferred_client_id":"client-a"}`)
	valid := `{` + redirect + `}`
	tests := []struct {
		name, method, path, body string
		header                   []string
		status                   int
		code, mentions           string
	}{
		{name: "wrong content type", method: http.MethodPost, path: "/clients", body: valid,
			header: []string{"Content-Type", "text/plain"}, status: 415, code: "invalid_request"},
		{name: "form content type", method: http.MethodPut, path: "/clients/client-a", body: valid,
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "invalid_request"},
		{name: "no content type", method: http.MethodPost, path: "/clients", body: valid,
			header: []string{"Content-Type", ""}, status: 415, code: "invalid_request"},
		{name: "JSON with charset", method: http.MethodPost, path: "/clients", body: valid,
			header: []string{"Content-Type", "application/json; charset=utf-8"}, status: 201},
		{name: "oversized", method: http.MethodPost, path: "/clients",
			body: `{` + redirect + `,"client_name":"` + strings.Repeat("x", MaxBodySize) + `"}`, status: 413, code: "invalid_request"},
		{name: "malformed JSON", method: http.MethodPost, path: "/clients", body: `{"redirect_uris":`, status: 400, code: "invalid_request"},
		{name: "trailing garbage", method: http.MethodPost, path: "/clients", body: valid + `x`, status: 400, code: "invalid_request"},
		{name: "array", method: http.MethodPost, path: "/clients", body: `[` + valid + `]`, status: 400, code: "invalid_request"},
		{name: "empty body", method: http.MethodPut, path: "/clients/client-a", body: ` `, status: 400, code: "invalid_request"},
		{name: "member of the wrong type", method: http.MethodPost, path: "/clients", body: `{"redirect_uris":"https://rp.example.com/cb"}`,
			status: 400, code: "invalid_client_metadata", mentions: "redirect_uris"},
		{name: "preferred ID not a string", method: http.MethodPost, path: "/clients", body: `{` + redirect + `,"preferred_client_id":7}`,
			status: 400, code: "invalid_client_metadata", mentions: "preferred_client_id"},
		{name: "data not an object", method: http.MethodPost, path: "/clients", body: `{` + redirect + `,"data":"x"}`,
			status: 400, code: "invalid_client_metadata", mentions: "data"},
		{name: "invalid redirect URI", method: http.MethodPost, path: "/clients", body: `{"redirect_uris":["https://rp.example.com/#x"]}`,
			status: 400, code: "invalid_redirect_uri", mentions: "redirect_uris"},
		{name: "invalid metadata on update", method: http.MethodPut, path: "/clients/client-a",
			body:   `{` + redirect + `,"token_endpoint_auth_method":"private_key_jwt"}`,
			status: 400, code: "invalid_client_metadata", mentions: "token_endpoint_auth_method"},
		{name: "duplicate preferred ID", method: http.MethodPost, path: "/clients", body: `{` + redirect + `,"preferred_client_id":"client-a"}`,
			status: 409, code: "invalid_client_metadata", mentions: "preferred_client_id"},
		{name: "client_id of another entry", method: http.MethodPut, path: "/clients/client-a", body: `{` + redirect + `,"client_id":"client-b"}`,
			status: 400, code: "invalid_request", mentions: "client_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := e.snapshot(t)
			res := e.do(t, tc.method, tc.path, testMasterToken, tc.body, tc.header...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", res.status, tc.status, res.body)
			}
			if tc.code == "" {
				return
			}
			if res.str("error") != tc.code || !strings.Contains(res.str("error_description"), tc.mentions) {
				t.Errorf("body %.300s, want %s naming %q", res.body, tc.code, tc.mentions)
			}
			if e.snapshot(t) != before {
				t.Error("a refused request changed the store")
			}
		})
	}
}

func TestDirectoryDown(t *testing.T) {
	e := newEnv(t)
	id := e.register(t, `{`+redirect+`}`).Client.ID
	e.store.SetDown(true)
	for _, r := range []struct{ method, path, body string }{
		{http.MethodPost, "/clients", `{` + redirect + `}`},
		{http.MethodGet, "/clients", ""},
		{http.MethodGet, "/clients/" + id, ""},
		{http.MethodPut, "/clients/" + id, `{` + redirect + `}`},
		{http.MethodDelete, "/clients/" + id, ""},
	} {
		res := e.do(t, r.method, r.path, testMasterToken, r.body)
		if res.status != http.StatusServiceUnavailable || res.str("error") != "temporarily_unavailable" {
			t.Errorf("%s %s: %d %s", r.method, r.path, res.status, res.body)
		}
	}
	// The registration token needs the entry: without the directory, 503.
	if res := e.do(t, http.MethodGet, "/clients/"+id, "some-token", ""); res.status != http.StatusServiceUnavailable {
		t.Errorf("client token while down: %d", res.status)
	}
	e.store.SetDown(false)
	if e.store.Len() != 1 {
		t.Error("the store changed while down")
	}
}

func TestOpenRegistration(t *testing.T) {
	tests := []struct {
		name, body string
		open       bool
		status     int
	}{
		{name: "closed", body: `{` + redirect + `}`, status: 401},
		{name: "open, code grant", open: true, body: `{` + redirect + `,"grant_types":["authorization_code","refresh_token"]}`, status: 201},
		{name: "open, client credentials", open: true, body: `{"grant_types":["client_credentials"]}`, status: 400},
		{name: "open, preferred ID", open: true, body: `{` + redirect + `,"preferred_client_id":"mine"}`, status: 400},
		{name: "open, data", open: true, body: `{` + redirect + `,"data":{}}`, status: 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.AllowOpenRegistration = tc.open })
			res := e.do(t, http.MethodPost, "/clients", "", tc.body)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.status == 201 && res.str("registration_access_token") == "" {
				t.Error("no registration access token")
			}
			if tc.open && e.do(t, http.MethodGet, "/clients", "", "").status != http.StatusUnauthorized {
				t.Error("open registration opened the list")
			}
		})
	}
}

func TestListStreamsAllClients(t *testing.T) {
	e := newEnv(t)
	if res := e.do(t, http.MethodGet, "/clients", testMasterToken, ""); res.status != 200 || strings.TrimSpace(res.body) != "[]" {
		t.Fatalf("empty list: %d %q", res.status, res.body)
	}
	for _, id := range []string{"c1", "c2", "c3"} {
		e.register(t, `{`+redirect+`,"preferred_client_id":"`+id+`","client_name":"`+id+`"}`)
	}
	res := e.do(t, http.MethodGet, "/clients", testMasterToken, "")
	var list []map[string]any
	if err := json.Unmarshal([]byte(res.body), &list); err != nil || res.status != 200 {
		t.Fatalf("list: %d %v %s", res.status, err, res.body)
	}
	if len(list) != 3 || list[0]["client_id"] != "c1" || list[2]["client_name"] != "c3" ||
		list[1]["registration_client_uri"] != testEndpoint+"/c2" || list[0]["client_secret"] != nil {
		t.Errorf("list: %s", res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}
