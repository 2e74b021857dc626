package mtls

import (
	"errors"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestMatchSAN(t *testing.T) {
	f := loadFixture(t)
	const spiffe = "spiffe://example.org/ns/payments/sa/client"
	tests := []struct {
		name, kind, registered string
		want                   bool
	}{
		{"dns lower case", SANDNS, "client.example.com", true},
		{"dns upper case", SANDNS, "CLIENT.EXAMPLE.COM", true},
		{"dns trailing dot", SANDNS, "client.example.com.", true},
		{"dns parent domain", SANDNS, "example.com", false},
		{"dns wildcard is a string", SANDNS, "*.example.com", false},
		{"dns other name", SANDNS, "client2.example.com", false},
		{"dns dot only", SANDNS, ".", false},
		{"dns Kelvin sign is not k", SANDNS, "client.example.co\u212a", false},
		{"uri exact", SANURI, spiffe, true},
		{"uri trailing slash", SANURI, spiffe + "/", false},
		{"uri other case", SANURI, "SPIFFE://example.org/ns/payments/sa/client", false},
		{"uri prefix", SANURI, "spiffe://example.org", false},
		{"ip v4", SANIP, "192.0.2.10", true},
		{"ip v4-mapped v6", SANIP, "::ffff:192.0.2.10", true},
		{"ip v4-mapped v6 in hex", SANIP, "::FFFF:c000:020a", true},
		{"ip v6 compressed", SANIP, "2001:db8::1", true},
		{"ip v6 expanded", SANIP, "2001:0db8:0000:0000:0000:0000:0000:0001", true},
		{"ip v6 upper case", SANIP, "2001:DB8:0:0::1", true},
		{"ip v4 other", SANIP, "192.0.2.11", false},
		{"ip v6 other", SANIP, "2001:db8::2", false},
		{"ip with zone", SANIP, "2001:db8::1%eth0", false},
		{"ip v4 with leading zeros", SANIP, "192.0.2.010", false},
		{"ip not an address", SANIP, "client.example.com", false},
		{"email as in certificate", SANEmail, "Ops.Team@Example.COM", true},
		{"email domain case", SANEmail, "Ops.Team@example.com", true},
		{"email local part case", SANEmail, "ops.team@example.com", false},
		{"email other domain", SANEmail, "Ops.Team@example.org", false},
		{"email without domain", SANEmail, "Ops.Team", false},
		{"empty value", SANDNS, "", false},
		{"unknown kind", "rid", "client.example.com", false},
		{"dns value of another kind", SANDNS, "192.0.2.10", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MatchSAN(tc.kind, tc.registered, f.client); got != tc.want {
				t.Errorf("MatchSAN(%q, %q) = %v, want %v", tc.kind, tc.registered, got, tc.want)
			}
		})
	}
	if MatchSAN(SANDNS, "client.example.com", f.selfSigned) {
		t.Error("a certificate without SANs matched")
	}
	if MatchSAN(SANDNS, "client.example.com", nil) {
		t.Error("a nil certificate matched")
	}
}

func TestMatchClient(t *testing.T) {
	f := loadFixture(t)
	client := func(m oauth.Metadata) oauth.Client {
		m.TokenEndpointAuthMethod = "tls_client_auth"
		return oauth.Client{ID: "c1", Metadata: m}
	}
	tests := []struct {
		name    string
		client  oauth.Client
		want    bool
		wantErr error
	}{
		{name: "subject DN", client: client(oauth.Metadata{TLSClientAuthSubjectDN: clientDN}), want: true},
		{name: "subject DN of another", client: client(oauth.Metadata{TLSClientAuthSubjectDN: "CN=other"})},
		{name: "bad subject DN", client: client(oauth.Metadata{TLSClientAuthSubjectDN: "CN"}), wantErr: ErrBadDN},
		{name: "dns", client: client(oauth.Metadata{TLSClientAuthSANDNS: "client.example.com"}), want: true},
		{name: "uri", client: client(oauth.Metadata{TLSClientAuthSANURI: "spiffe://example.org/ns/payments/sa/client"}), want: true},
		{name: "ip", client: client(oauth.Metadata{TLSClientAuthSANIP: "::ffff:192.0.2.10"}), want: true},
		{name: "email", client: client(oauth.Metadata{TLSClientAuthSANEmail: "Ops.Team@example.com"}), want: true},
		{name: "email not matching", client: client(oauth.Metadata{TLSClientAuthSANEmail: "someone@example.com"})},
		{name: "no field", client: client(oauth.Metadata{}), wantErr: ErrSubjectField},
		{name: "two fields", wantErr: ErrSubjectField,
			client: client(oauth.Metadata{TLSClientAuthSubjectDN: clientDN, TLSClientAuthSANDNS: "client.example.com"})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MatchClient(tc.client, f.client)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("MatchClient: error %v, want %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("MatchClient = %v, want %v", got, tc.want)
			}
		})
	}
	if _, err := MatchClient(client(oauth.Metadata{TLSClientAuthSANDNS: "x"}), nil); !errors.Is(err, ErrNoCertificate) {
		t.Errorf("nil certificate: %v, want ErrNoCertificate", err)
	}
}
