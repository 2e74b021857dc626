package registration

import (
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// openFetched: under open registration, the URLs the server itself
// fetches (jwks_uri, sector_identifier_uri, request_uris) must not name
// localhost or an internal address literal. This is the early, friendly
// refusal; the real guard is at connection time (provider/netguard), as
// a name may resolve to an internal address.
func (v *validator) openFetched() *oauth.Error {
	if !v.open || v.policy.OpenPrivateAddresses {
		return nil
	}
	m := v.m
	for _, f := range []struct {
		name   string
		values []string
	}{
		{"jwks_uri", nonEmpty(m.JWKSURI)},
		{"sector_identifier_uri", nonEmpty(m.SectorIdentifierURI)},
		{"request_uris", m.RequestURIs},
	} {
		for _, raw := range f.values {
			if u, err := url.Parse(raw); err != nil || internalHost(u.Hostname()) {
				return invalidMetadata(f.name, "%s must be a URL of a public host under open registration", quote(raw))
			}
		}
	}
	return nil
}
