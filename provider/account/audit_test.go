package account_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// auditLog keeps the events recorded.
type auditLog struct {
	mu     sync.Mutex
	events []audit.Event
}

func (a *auditLog) Record(_ context.Context, e audit.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
}

func (a *auditLog) lines() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, e := range a.events {
		out = append(out, e.Type+"/"+e.Subject+"/"+e.Detail+"/"+e.ClientID)
	}
	return out
}

// Every change a person makes on the account page is an audit event of
// its own; what changed nothing (another person's app, a wrong code)
// records nothing.
func TestAccountAudit(t *testing.T) {
	tests := []struct {
		name string
		form func(rg *rig) url.Values
		want []string
	}{
		{name: "app added", form: func(*rig) url.Values {
			return url.Values{"action": {"enrol"}, "enrolment": {"e"}, "code": {"123456"}}
		}, want: []string{"authenticator_added/alice/totp/"}},
		{name: "wrong code", form: func(*rig) url.Values {
			return url.Values{"action": {"enrol"}, "enrolment": {"e"}, "code": {"000000"}}
		}},
		{name: "renamed", form: func(*rig) url.Values {
			return url.Values{"action": {"rename"}, "id": {"mine"}, "name": {"Work"}}
		}, want: []string{"authenticator_renamed/alice//"}},
		{name: "another's not renamed", form: func(*rig) url.Values {
			return url.Values{"action": {"rename"}, "id": {"theirs"}, "name": {"Work"}}
		}},
		{name: "removed", form: func(*rig) url.Values { return url.Values{"action": {"remove"}, "id": {"mine"}} },
			want: []string{"authenticator_removed/alice//"}},
		{name: "recovery codes", form: func(*rig) url.Values { return url.Values{"action": {"recovery"}} },
			want: []string{"recovery_codes_renewed/alice//"}},
		{name: "revoked", form: func(*rig) url.Values { return url.Values{"action": {"revoke"}, "client": {"rp"}} },
			want: []string{"authorization_revoked/alice//rp"}},
		{name: "one session ended", form: func(rg *rig) url.Values {
			other, err := rg.ss.Create(context.Background(), session.Session{Subject: "alice"})
			if err != nil {
				t.Fatal(err)
			}
			return url.Values{"action": {"end"}, "sid": {other.SID}}
		}, want: []string{"sessions_ended/alice/one/"}},
		{name: "all sessions ended", form: func(*rig) url.Values { return url.Values{"action": {"end_all"}} },
			want: []string{"sessions_ended/alice/all/"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rg := newRig(t, false)
			form := tc.form(rg)
			form.Set("csrf", rg.csrf(t))
			if w := rg.post(t, form); w.Code >= http.StatusBadRequest {
				t.Fatalf("status %d", w.Code)
			}
			if got := rg.audit.lines(); !slices.Equal(got, tc.want) {
				t.Errorf("audit %q, want %q", got, tc.want)
			}
		})
	}
}
