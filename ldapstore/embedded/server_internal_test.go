package embedded

import (
	"net"
	"testing"
)

func TestLDAPURL(t *testing.T) {
	for _, tc := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 3389}, "ldap://127.0.0.1:3389"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 40000}, "ldap://127.0.0.1:40000"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 40001}, "ldap://127.0.0.1:40001"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 40002}, "ldap://[::1]:40002"},
	} {
		if got := ldapURL(tc.addr); got != tc.want {
			t.Errorf("ldapURL(%v) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}
