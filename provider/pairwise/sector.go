package pairwise

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Applies says whether a client's subs are pairwise.
func Applies(m oauth.Metadata) bool { return m.SubjectType == "pairwise" }

// ErrNoSector is returned for a pairwise client whose sector cannot be
// told: no sector_identifier_uri and redirect URIs on more than one host
// (or none).
var ErrNoSector = errors.New("pairwise: a client with redirect URIs on several hosts needs a sector_identifier_uri")

// Sector is a client's sector identifier (OpenID Connect Core §8.1): the
// host of its sector_identifier_uri when it registered one, else the one
// host of its redirect URIs.
func Sector(m oauth.Metadata) (string, error) {
	if m.SectorIdentifierURI != "" {
		u, err := url.Parse(m.SectorIdentifierURI)
		if err != nil || u.Hostname() == "" {
			return "", fmt.Errorf("pairwise: sector_identifier_uri %q has no host", m.SectorIdentifierURI)
		}
		return u.Hostname(), nil
	}
	host := ""
	for _, raw := range m.RedirectURIs {
		u, err := url.Parse(raw)
		if err != nil || u.Hostname() == "" {
			return "", ErrNoSector
		}
		if host != "" && u.Hostname() != host {
			return "", ErrNoSector
		}
		host = u.Hostname()
	}
	if host == "" {
		return "", ErrNoSector
	}
	return host, nil
}
