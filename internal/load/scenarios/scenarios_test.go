package scenarios

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

func TestGenerateUsers(t *testing.T) {
	tests := []struct {
		pattern  string
		count    int
		wantLast User
		wantErr  bool
	}{
		{pattern: "user%03d:password%03d", count: 100, wantLast: User{"user100", "password100"}},
		{pattern: "u%d:secret", count: 2, wantLast: User{"u2", "secret"}},
		{pattern: "u%d%d:p", count: 2, wantErr: true},
		{pattern: "alice:pw%d", count: 2, wantErr: true},
		{pattern: "alice:alice-password", count: 1, wantLast: User{"alice", "alice-password"}},
		{pattern: "nocolon", count: 1, wantErr: true},
		{pattern: "u%d:p%d", count: 0, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			users, err := GenerateUsers(tc.pattern, tc.count)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			if err == nil && (len(users) != tc.count || users[len(users)-1] != tc.wantLast) {
				t.Errorf("%d users, last %+v; want %d, %+v", len(users), users[len(users)-1], tc.count, tc.wantLast)
			}
		})
	}
}

func TestCallbackChecksTheResponse(t *testing.T) {
	s := &signIn{state: "st"}
	tests := []struct {
		name     string
		location string
		want     string
		wantBad  bool
	}{
		{name: "code", location: "http://127.0.0.1:9/cb?code=abc&state=st&iss=x", want: "abc"},
		{name: "error", location: "http://127.0.0.1:9/cb?error=access_denied&state=st", wantBad: true},
		{name: "wrong state", location: "http://127.0.0.1:9/cb?code=abc&state=other", wantBad: true},
		{name: "no code", location: "http://127.0.0.1:9/cb?state=st", wantBad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.callback(tc.location)
			var bad *load.BadAnswerError
			if got != tc.want || errors.As(err, &bad) != tc.wantBad {
				t.Errorf("callback = %q, %v", got, err)
			}
		})
	}
}

func TestHiddenFields(t *testing.T) {
	r := request{method: http.MethodGet, url: "http://127.0.0.1/login?flow=x"}
	page := `<form method="post"><input type="hidden" name="flow" value="f&amp;1"><input type="hidden" name="csrf" value="c2"></form>`
	f, err := hiddenFields(r, []byte(page))
	if err != nil || f.Get("flow") != "f&1" || f.Get("csrf") != "c2" {
		t.Errorf("fields %v, %v", f, err)
	}
	var bad *load.BadAnswerError
	if _, err := hiddenFields(r, []byte("<p>Sign-in expired</p>")); !errors.As(err, &bad) || bad.Step != "GET /login" {
		t.Errorf("page without fields: %v", err)
	}
}

func TestNewNeedsWhatTheScenarioUses(t *testing.T) {
	users := []User{{"a", "b"}}
	full := Config{Target: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s", RedirectURI: "http://127.0.0.1:9/cb", Users: users, Workers: 1}
	for _, name := range Names() {
		if _, err := New(name, full); err != nil {
			t.Errorf("%s with a full config: %v", name, err)
		}
	}
	if _, err := New("discovery", Config{Target: "http://127.0.0.1:1"}); err != nil {
		t.Errorf("discovery needs only a target: %v", err)
	}
	tooFew := full
	tooFew.Workers = 2
	if _, err := New("refresh", tooFew); err == nil {
		t.Error("refresh with fewer users than workers: no error")
	}
	if _, err := New("code-flow", Config{Target: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s"}); err == nil {
		t.Error("code-flow without users: no error")
	}
}
