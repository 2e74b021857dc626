package token

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

type lastEvent struct{ e audit.Event }

func (l *lastEvent) Record(_ context.Context, e audit.Event) { l.e = e }

// TestAuditIssued: a token response is recorded with its grant, the
// client's authentication, the jti and the certificate binding, and
// without any token.
func TestAuditIssued(t *testing.T) {
	tests := []struct {
		name       string
		resp       response
		cnf        map[string]any
		wantIssued []string
		wantCnf    string
	}{
		{name: "access token only", resp: response{AccessToken: "AT-secret", Scope: "api"},
			wantIssued: []string{"access_token"}},
		{name: "all three, bound", resp: response{AccessToken: "AT-secret", IDToken: "IDT-secret", RefreshToken: "RT-secret", Scope: "openid offline_access"},
			cnf: map[string]any{mtls.ConfirmationMember: "thumbprint-1"}, wantIssued: []string{"access_token", "id_token", "refresh_token"}, wantCnf: "thumbprint-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			log := &lastEvent{}
			h := &Handler{Options: Options{Audit: log}}
			ctx := withConfirmation(audit.WithAddress(context.Background(), "192.0.2.7"), tc.cnf)
			tc.resp.issued = issuedTo{subject: "ann", jti: "jti-1"}
			h.auditIssued(ctx, clientauth.Result{Client: oauth.Client{ID: "rp"}, Method: clientauth.MethodTLS}, "authorization_code", tc.resp)
			e := log.e
			if e.Type != audit.TypeTokenIssued || e.ClientID != "rp" || e.Subject != "ann" || e.JTI != "jti-1" ||
				e.GrantType != "authorization_code" || e.AuthMethod != clientauth.MethodTLS || e.Address != "192.0.2.7" ||
				e.Cnf != tc.wantCnf || !slices.Equal(e.Issued, tc.wantIssued) || !slices.Equal(e.Scopes, strings.Fields(tc.resp.Scope)) {
				t.Errorf("event %+v", e)
			}
			line, _ := json.Marshal(e)
			if strings.Contains(string(line), "-secret") {
				t.Errorf("event holds a token: %s", line)
			}
		})
	}
}
