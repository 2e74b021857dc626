package registration

import (
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// openBackchannel: a client registered without a token must not point
// the server's back-channel POSTs at this server's own network — a
// loopback, private or link-local address, or localhost — nor use plain
// http. Registered with a token, internal relying parties are the norm
// and any secure URL is taken. A name that resolves to an internal
// address is not caught here but when the server connects: the client
// is marked (open_mark.go) and its POSTs go through provider/netguard.
func (v *validator) openBackchannel() *oauth.Error {
	raw := v.m.BackchannelLogoutURI
	if !v.open || raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || internalHost(u.Hostname()) && !v.policy.OpenPrivateAddresses {
		return invalidMetadata("backchannel_logout_uri", "%s must be an https URL of a public host under open registration", quote(raw))
	}
	return nil
}

// internalHost: localhost, or an address literal this server's network
// may hold.
func internalHost(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	addr, err := netip.ParseAddr(h)
	if err != nil {
		return net.ParseIP(h) != nil // a form netip does not read: refuse
	}
	addr = addr.Unmap()
	return addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsUnspecified() || addr.IsMulticast()
}
