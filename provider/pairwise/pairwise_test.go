package pairwise

import (
	"errors"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestSector(t *testing.T) {
	tests := []struct {
		name string
		m    oauth.Metadata
		want string
		err  bool
	}{
		{"sector uri wins", oauth.Metadata{SectorIdentifierURI: "https://sector.example/uris.json", RedirectURIs: []string{"https://a.example/cb"}}, "sector.example", false},
		{"one redirect host", oauth.Metadata{RedirectURIs: []string{"https://a.example/cb", "https://a.example:8443/other"}}, "a.example", false},
		{"two redirect hosts", oauth.Metadata{RedirectURIs: []string{"https://a.example/cb", "https://b.example/cb"}}, "", true},
		{"no redirect uri", oauth.Metadata{}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Sector(tc.m)
			if (err != nil) != tc.err || got != tc.want {
				t.Errorf("Sector = %q, %v; want %q, error %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestSubject(t *testing.T) {
	s, err := New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	a1, a2 := s.Subject("a.example", "alice"), s.Subject("a.example", "alice")
	if a1 != a2 {
		t.Errorf("not stable: %q, %q", a1, a2)
	}
	for _, other := range []string{s.Subject("b.example", "alice"), s.Subject("a.example", "bob"), s.Subject("a.examplea", "lice")} {
		if other == a1 {
			t.Errorf("%q collides with another sector or person", other)
		}
	}
	if a1 == "alice" || len(a1) != 43 {
		t.Errorf("sub %q: want 43 characters of base64url", a1)
	}
	t2, _ := New([]byte("another secret of enough length!"))
	if t2.Subject("a.example", "alice") == a1 {
		t.Error("another secret gives the same sub")
	}
}

func TestSeal(t *testing.T) {
	s, _ := New([]byte("0123456789abcdef0123456789abcdef"))
	sealed, err := s.Seal("uid=alice")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open(sealed); err != nil || got != "uid=alice" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := New([]byte("another secret of enough length!"))
	for _, bad := range []string{"", "!!", sealed[:10], sealed + "A"} {
		if _, err := s.Open(bad); !errors.Is(err, ErrSealed) {
			t.Errorf("Open(%q) = %v, want ErrSealed", bad, err)
		}
	}
	if _, err := other.Open(sealed); !errors.Is(err, ErrSealed) {
		t.Errorf("another secret opens it: %v", err)
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("a short secret was accepted")
	}
}
