package authorize

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// redirectMatchCases are the table of TestRedirectURIMatch and the seeds
// of FuzzRedirectURIMatch.
var redirectMatchCases = []struct {
	name                string
	registered, request string
	native, want        bool
}{
	{"identical", "https://rp.example.com/cb", "https://rp.example.com/cb", false, true},
	{"identical native", "com.example.app:/cb", "com.example.app:/cb", true, true},
	{"trailing slash", "https://rp.example.com/cb", "https://rp.example.com/cb/", false, false},
	{"extra query", "https://rp.example.com/cb", "https://rp.example.com/cb?a=1", false, false},
	{"host case", "https://rp.example.com/cb", "https://RP.example.com/cb", false, false},
	{"default port spelled out", "https://rp.example.com/cb", "https://rp.example.com:443/cb", false, false},
	{"percent-encoding differs", "https://rp.example.com/a b", "https://rp.example.com/a%20b", false, false},
	{"IPv4 loopback, port added", "http://127.0.0.1/cb", "http://127.0.0.1:49152/cb", true, true},
	{"IPv4 loopback, port changed", "http://127.0.0.1:8000/cb", "http://127.0.0.1:49152/cb", true, true},
	{"IPv4 loopback, port dropped", "http://127.0.0.1:8000/cb", "http://127.0.0.1/cb", true, true},
	{"IPv4 loopback, no path", "http://127.0.0.1", "http://127.0.0.1:5000", true, true},
	{"IPv4 loopback, query kept", "http://127.0.0.1/cb?a=1", "http://127.0.0.1:5000/cb?a=1", true, true},
	{"IPv4 loopback, query differs", "http://127.0.0.1/cb?a=1", "http://127.0.0.1:5000/cb?a=2", true, false},
	{"IPv6 loopback, port added", "http://[::1]/cb", "http://[::1]:61000/cb", true, true},
	{"IPv4 and IPv6 are different", "http://127.0.0.1/cb", "http://[::1]:61000/cb", true, false},
	{"loopback but not native", "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb", false, false},
	{"localhost is exact", "http://localhost/cb", "http://localhost:5000/cb", true, false},
	{"https loopback is exact", "https://127.0.0.1/cb", "https://127.0.0.1:5000/cb", true, false},
	{"other loopback address", "http://127.0.0.1/cb", "http://127.0.0.2:5000/cb", true, false},
	{"host that begins like loopback", "http://127.0.0.1/cb", "http://127.0.0.1.evil.example:5000/cb", true, false},
	{"userinfo after the port", "http://127.0.0.1/cb", "http://127.0.0.1:80@evil.example/cb", true, false},
	{"backslash after the port", "http://127.0.0.1/cb", `http://127.0.0.1:80\@evil.example/cb`, true, false},
	{"empty port", "http://127.0.0.1/cb", "http://127.0.0.1:/cb", true, false},
	{"port too long", "http://127.0.0.1/cb", "http://127.0.0.1:123456/cb", true, false},
	{"fragment", "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb#x", true, false},
	{"scheme case", "http://127.0.0.1/cb", "HTTP://127.0.0.1:5000/cb", true, false},
}

func TestRedirectURIMatch(t *testing.T) {
	for _, tc := range redirectMatchCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := redirectMatches(tc.registered, tc.request, tc.native); got != tc.want {
				t.Errorf("redirectMatches(%q, %q, native=%v) = %v", tc.registered, tc.request, tc.native, got)
			}
		})
	}
}

// FuzzRedirectURIMatch checks the properties of matching: equal strings
// match; otherwise only a native client's loopback http URIs do, and
// then they differ in nothing but the port.
func FuzzRedirectURIMatch(f *testing.F) {
	for _, tc := range redirectMatchCases {
		f.Add(tc.registered, tc.request, tc.native)
	}
	f.Fuzz(func(t *testing.T, registered, requested string, native bool) {
		got := redirectMatches(registered, requested, native)
		if registered == requested {
			if !got {
				t.Fatal("equal strings do not match")
			}
			return
		}
		if !got {
			return
		}
		if !native {
			t.Fatalf("web client matched different URIs %q and %q", registered, requested)
		}
		for _, s := range []string{registered, requested} {
			if !strings.HasPrefix(s, "http://127.0.0.1") && !strings.HasPrefix(s, "http://[::1]") {
				t.Fatalf("%q matched but is not a loopback http URI", s)
			}
			u, err := url.Parse(s)
			if err != nil {
				t.Fatalf("%q matched but does not parse: %v", s, err)
			}
			if h := u.Hostname(); h != "127.0.0.1" && h != "::1" {
				t.Fatalf("%q matched with host %q", s, h)
			}
			if u.User != nil || u.Fragment != "" {
				t.Fatalf("%q matched with userinfo or fragment", s)
			}
		}
		if stripPort(registered) != stripPort(requested) {
			t.Fatalf("%q and %q differ beyond the port", registered, requested)
		}
		if redirectMatches(requested, registered, native) != got {
			t.Fatal("matching is not symmetric")
		}
	})
}

// stripPort removes the port of a loopback URI, independently of
// splitLoopback, via net/url.
func stripPort(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Host = strings.TrimSuffix(u.Host, ":"+u.Port())
	return u.String()
}

// scopeCases are the table of TestParseScope and the seeds of FuzzParseScope.
var scopeCases = []struct {
	in      string
	want    []string
	wantErr bool
}{
	{"", nil, false},
	{"   ", nil, false},
	{"openid", []string{"openid"}, false},
	{"openid profile email", []string{"openid", "profile", "email"}, false},
	{" openid  profile ", []string{"openid", "profile"}, false},
	{"openid openid profile", []string{"openid", "profile"}, false},
	{"urn:example:read https://api.example.com/write", []string{"urn:example:read", "https://api.example.com/write"}, false},
	{"!#[]~", []string{"!#[]~"}, false},
	{`say"what`, nil, true},
	{`back\slash`, nil, true},
	{"tab\tseparated", nil, true},
	{"new\nline", nil, true},
	{"grüße", nil, true},
	{"del\x7f", nil, true},
}

func TestParseScope(t *testing.T) {
	for _, tc := range scopeCases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseScope(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseScope(%q) error = %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseScope(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzParseScope: every value is a non-empty NQCHAR string without
// repeats; the values joined by spaces parse back to themselves; and an
// input is refused exactly when it holds a character that is neither a
// space nor NQCHAR.
func FuzzParseScope(f *testing.F) {
	for _, tc := range scopeCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseScope(in)
		bad := strings.ContainsFunc(in, func(r rune) bool { return r != ' ' && notNQChar(r) })
		if (err != nil) != bad {
			t.Fatalf("ParseScope(%q) error = %v, want error %v", in, err, bad)
		}
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, s := range got {
			if s == "" || strings.ContainsFunc(s, notNQChar) || seen[s] {
				t.Fatalf("ParseScope(%q) = %q: bad value %q", in, got, s)
			}
			seen[s] = true
			if !strings.Contains(" "+in+" ", " "+s+" ") {
				t.Fatalf("ParseScope(%q) = %q: %q is not a value of the input", in, got, s)
			}
		}
		again, err := ParseScope(strings.Join(got, " "))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("reparsing %q gave %q, %v", got, again, err)
		}
	})
}
