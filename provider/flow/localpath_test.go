package flow

import (
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"/ok?a=b", "/ok?a=b", true},
		{"/account", "/account", true},
		{"/mfa/passkey/enrol?return=%2Faccount", "/mfa/passkey/enrol?return=%2Faccount", true},
		{"/a b", "/a%20b", true},
		{"/\t/evil.example", "", false},
		{"/\n/evil.example", "", false},
		{"/\x7f/evil.example", "", false},
		{"//x", "", false},
		{"/\\x", "", false},
		{"\\\\x", "", false},
		{"https://x", "", false},
		{"https:/x", "", false},
		{"javascript:alert(1)", "", false},
		{"/%2F/x", "", false},
		{"x", "", false},
		{"", "", false},
		{"/" + strings.Repeat("a", maxLocalPath), "", false},
	} {
		got, ok := LocalPath(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("LocalPath(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
