package token

import (
	"context"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
	"github.com/gatehouse-idp/gatehouse/provider/clientauth"
	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/session"
)

// auditIssued records a successful token response: to whom, by which
// grant and client authentication, and the access token's jti and
// certificate binding — never a token itself.
func (h *Handler) auditIssued(ctx context.Context, auth clientauth.Result, grantType string, resp response) {
	cnf, _ := confirmationOf(ctx)[mtls.ConfirmationMember].(string)
	h.Audit.Record(ctx, audit.Event{Type: audit.TypeTokenIssued,
		ClientID: auth.Client.ID, Subject: resp.issued.subject, Address: audit.AddressOf(ctx),
		GrantType: grantType, AuthMethod: auth.Method, JTI: resp.issued.jti, Cnf: cnf,
		Scopes: strings.Fields(resp.Scope), Issued: issuedNames(resp)})
}

// issuedNames lists the kinds of token a response carries.
func issuedNames(resp response) []string {
	names := []string{"access_token"}
	if resp.IDToken != "" {
		names = append(names, "id_token")
	}
	if resp.RefreshToken != "" {
		names = append(names, "refresh_token")
	}
	return names
}

// auditReplay records a code presented again; revokedJTI is the access
// token of its first redemption, now revoked ("" if none was recorded).
func (h *Handler) auditReplay(ctx context.Context, reused *session.ReuseError, revokedJTI string) {
	h.Audit.Record(ctx, audit.Event{Type: audit.TypeCodeReplay,
		ClientID: reused.ClientID, Subject: reused.Subject, Address: audit.AddressOf(ctx), JTI: revokedJTI,
		Detail: "the tokens of the code's first redemption are revoked"})
}
