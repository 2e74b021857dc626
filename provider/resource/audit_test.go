package resource

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
)

type auditLog struct {
	mu     sync.Mutex
	events []audit.Event
}

func (l *auditLog) Record(_ context.Context, e audit.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

// TestRevokeAudit: a revocation that reaches one of our tokens is one
// event, naming the token by jti, never by value; an unknown token is none.
func TestRevokeAudit(t *testing.T) {
	tests := []struct {
		name        string
		client      string
		token       func(e *env) string
		refresh     bool
		wantOutcome string // "" → no event
		wantType    string
		wantJTI     bool
	}{
		{name: "own access token", client: rp, token: func(e *env) string { return e.accessToken(rp, "openid") },
			wantOutcome: audit.OutcomeRevoked, wantType: "access_token", wantJTI: true},
		{name: "another client's access token", client: other, token: func(e *env) string { return e.accessToken(rp, "openid") },
			wantOutcome: audit.OutcomeForeign, wantType: "access_token", wantJTI: true},
		{name: "own refresh token", client: rp, refresh: true, token: func(*env) string { return "refresh-1" },
			wantOutcome: audit.OutcomeRevoked, wantType: "refresh_token"},
		{name: "unknown token", client: rp, refresh: true, token: func(*env) string { return "unknown" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := &auditLog{}
			e := newEnv(t, func(o *Options) {
				o.Audit = log
				if tc.refresh {
					o.Refresh = &refreshes{}
				}
			})
			tok := tc.token(e)
			rec := do(e.handler.Revoke, clientPost("/", tc.client, url.Values{"token": {tok}}))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if tc.wantOutcome == "" {
				if len(log.events) != 0 {
					t.Fatalf("events %+v, want none", log.events)
				}
				return
			}
			if len(log.events) != 1 {
				t.Fatalf("events %+v, want one", log.events)
			}
			ev := log.events[0]
			if ev.Type != audit.TypeRevocation || ev.Outcome != tc.wantOutcome || ev.TokenType != tc.wantType ||
				ev.ClientID != tc.client || ev.Address == "" || (ev.JTI != "") != tc.wantJTI {
				t.Errorf("event %+v", ev)
			}
			if strings.Contains(ev.JTI+ev.Detail+ev.Subject, tok) {
				t.Errorf("event %+v holds the token", ev)
			}
		})
	}
}
