package token

import (
	"context"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/mtls"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestRefreshBinding(t *testing.T) {
	bound := withConfirmation(context.Background(), map[string]any{"x5t#S256": "thumb-1"})
	other := withConfirmation(context.Background(), map[string]any{"x5t#S256": "thumb-2"})
	none := context.Background()
	public := oauth.Client{Metadata: oauth.Metadata{TokenEndpointAuthMethod: "none"}}
	confidential := oauth.Client{Metadata: oauth.Metadata{TokenEndpointAuthMethod: "tls_client_auth"}}

	if got := publicBinding(bound, confidential, mtls.ConfirmationMember); got != "" {
		t.Errorf("a confidential client's refresh tokens were bound to %q", got)
	}
	data := withRefreshBinding(map[string]any{"keep": 1.0}, mtls.ConfirmationMember, publicBinding(bound, public, mtls.ConfirmationMember))
	a := oauth.Authorization{Data: data}
	tests := []struct {
		name string
		ctx  context.Context
		want bool
	}{
		{name: "the same certificate", ctx: bound, want: true},
		{name: "another certificate", ctx: other, want: false},
		{name: "no certificate", ctx: none, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := holdsRefreshBinding(tc.ctx, a, mtls.ConfirmationMember); got != tc.want {
				t.Errorf("holdsRefreshBinding = %v, want %v", got, tc.want)
			}
		})
	}
	if data["keep"] != 1.0 {
		t.Error("the binding replaced other data")
	}
	if !holdsRefreshBinding(none, oauth.Authorization{}, mtls.ConfirmationMember) {
		t.Error("an unbound authorization refused a request without a certificate")
	}
	if cleared := withRefreshBinding(data, mtls.ConfirmationMember, ""); cleared["refresh_x5t#S256"] != nil || data["refresh_x5t#S256"] == nil {
		t.Error("clearing the binding must copy, not change, the data")
	}
}
