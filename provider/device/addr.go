package device

import (
	"net"
	"net/http"
	"net/netip"
)

// clientAddr is the peer's address; forwarded headers are not trusted.
func clientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, _ := netip.ParseAddr(host)
	return addr
}
