package netguard

import (
	"net/netip"
	"testing"
)

func TestPublic(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
	}{
		{"93.184.216.34", true},
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::200e", true},
		{"::ffff:93.184.216.34", true},    // mapped public
		{"64:ff9b::808:808", true},        // NAT64 of 8.8.8.8
		{"127.0.0.1", false},              // loopback
		{"127.255.255.254", false},        // all of 127/8
		{"::1", false},                    // IPv6 loopback
		{"::ffff:127.0.0.1", false},       // mapped loopback
		{"10.0.0.1", false},               // private
		{"172.16.5.4", false},             // private
		{"172.31.255.255", false},         // private
		{"172.32.0.1", true},              // just outside 172.16/12
		{"192.168.1.1", false},            // private
		{"::ffff:192.168.1.1", false},     // mapped private
		{"::ffff:10.0.0.1", false},        // mapped private
		{"169.254.169.254", false},        // link-local: cloud metadata
		{"::ffff:169.254.169.254", false}, // mapped metadata
		{"fe80::1", false},                // IPv6 link-local
		{"fe80::1%eth0", false},           // zoned
		{"fc00::1", false},                // unique local
		{"fd12:3456:789a::1", false},      // unique local
		{"fec0::1", false},                // site-local
		{"0.0.0.0", false},                // unspecified
		{"::", false},                     // unspecified
		{"0.1.2.3", false},                // "this network"
		{"224.0.0.1", false},              // multicast
		{"239.255.255.250", false},        // multicast
		{"ff02::1", false},                // IPv6 multicast
		{"ff05::2", false},                // IPv6 multicast
		{"100.64.0.1", false},             // CGNAT
		{"100.127.255.254", false},        // CGNAT
		{"100.128.0.1", true},             // just outside CGNAT
		{"255.255.255.255", false},        // broadcast
		{"240.0.0.1", false},              // reserved
		{"192.0.2.1", false},              // documentation
		{"198.18.0.1", false},             // benchmarking
		{"2001:db8::1", false},            // documentation
		{"2002:7f00:1::1", false},         // 6to4 of 127.0.0.1
		{"2001:0:4136:e378::1", false},    // Teredo
		{"64:ff9b::7f00:1", false},        // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", false},     // NAT64 of 169.254.169.254
		{"64:ff9b:1::1", false},           // local-use NAT64
		{"::7f00:1", false},               // IPv4-compatible 127.0.0.1
		{"::a9fe:a9fe", false},            // IPv4-compatible metadata address
		{"::ffff:0:7f00:1", false},        // IPv4-translated 127.0.0.1
		{"::ffff:0:808:808", false},       // IPv4-translated: refused whatever it carries
	}
	for _, tc := range tests {
		a := netip.MustParseAddr(tc.addr)
		if got := Public(a); got != tc.public {
			t.Errorf("Public(%s) = %v, want %v", tc.addr, got, tc.public)
		}
	}
	if Public(netip.Addr{}) {
		t.Error("the zero Addr is public")
	}
}

func TestControl(t *testing.T) {
	tests := []struct {
		address string
		ok      bool
	}{
		{"93.184.216.34:443", true},
		{"[2606:4700:4700::1111]:443", true},
		{"127.0.0.1:443", false},
		{"[::1]:443", false},
		{"[::ffff:169.254.169.254]:80", false},
		{"[fe80::1%eth0]:443", false},
		{"localhost:443", false}, // never a name: refuse what cannot be judged
		{"", false},
	}
	for _, tc := range tests {
		err := Control("tcp", tc.address, nil)
		if (err == nil) != tc.ok {
			t.Errorf("Control(%q) = %v, want ok %v", tc.address, err, tc.ok)
		}
	}
}
