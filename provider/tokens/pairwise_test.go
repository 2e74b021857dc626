package tokens

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// TestSectorOrFallback: a pairwise registration without a sector of its
// own (stored before registration checked it) still has a stable sector.
func TestSectorOrFallback(t *testing.T) {
	tests := []struct {
		m    oauth.Metadata
		want string
	}{
		{oauth.Metadata{RedirectURIs: []string{"https://a.example/cb"}}, "a.example"},
		{oauth.Metadata{SectorIdentifierURI: "https://s.example/x", RedirectURIs: []string{"https://a.example/cb"}}, "s.example"},
		{oauth.Metadata{RedirectURIs: []string{"https://a.example/cb", "https://b.example/cb"}}, "a.example"},
		{oauth.Metadata{}, noSector},
	}
	for _, tc := range tests {
		if got := sectorOrFallback(tc.m); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.m.RedirectURIs, got, tc.want)
		}
	}
}
