package registration

import (
	"context"
	"encoding/json"
	"net/http"
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

// TestAuditEvents: each change to a registration is one event naming the
// client and who made it; an update that issued a new secret is a second
// one; reads are none. No event holds the secret or a token.
func TestAuditEvents(t *testing.T) {
	e := newEnv(t)
	log := &auditLog{}
	h := NewHandler(e.svc, nil)
	h.Audit = log
	e.http = router(h)

	reg := e.do(t, http.MethodPost, "/clients", testMasterToken, `{`+redirect+`}`)
	if reg.status != http.StatusCreated {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	id, rat := reg.str("client_id"), reg.str("registration_access_token")
	read := e.do(t, http.MethodGet, "/clients/"+id, rat, "")
	if put := e.do(t, http.MethodPut, "/clients/"+id, rat, read.body); put.status != http.StatusOK {
		t.Fatalf("put: %d %s", put.status, put.body)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(read.body), &doc); err != nil {
		t.Fatal(err)
	}
	doc["client_secret"] = "not-the-current-secret" // asks for a new one
	body, _ := json.Marshal(doc)
	rolled := e.do(t, http.MethodPut, "/clients/"+id, testMasterToken, string(body))
	if rolled.status != http.StatusOK || rolled.str("client_secret") == "" {
		t.Fatalf("put with another secret: %d %s", rolled.status, rolled.body)
	}
	if del := e.do(t, http.MethodDelete, "/clients/"+id, testMasterToken, ""); del.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", del.status, del.body)
	}

	want := []struct{ typ, actor string }{
		{audit.TypeClientCreated, "master_token"},
		{audit.TypeClientUpdated, "registration_access_token"},
		{audit.TypeClientUpdated, "master_token"},
		{audit.TypeClientSecretRotated, "master_token"},
		{audit.TypeClientDeleted, "master_token"},
	}
	if len(log.events) != len(want) {
		t.Fatalf("events %+v, want %d", log.events, len(want))
	}
	for i, w := range want {
		ev := log.events[i]
		if ev.Type != w.typ || ev.Actor != w.actor || ev.ClientID != id || ev.Address == "" {
			t.Errorf("event %d = %+v, want %s by %s", i, ev, w.typ, w.actor)
		}
		line, _ := json.Marshal(ev)
		for _, secret := range []string{reg.str("client_secret"), rolled.str("client_secret"), rat, testMasterToken} {
			if strings.Contains(string(line), secret) {
				t.Errorf("event %s holds a secret or token", line)
			}
		}
	}
}
