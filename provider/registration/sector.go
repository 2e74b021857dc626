package registration

import (
	"context"
	"errors"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/pairwise"
)

// SectorFetcher reads the redirect URIs listed at a client's
// sector_identifier_uri (authorize.HTTPFetcher does).
type SectorFetcher interface {
	SectorURIs(ctx context.Context, uri string) ([]string, error)
}

// checkSector applies OpenID Connect Dynamic Client Registration §5 and
// Core §8.1 to a pairwise client, or to any client with a
// sector_identifier_uri: the document there is fetched and must list
// every redirect URI; without one, the redirect URIs must share one host,
// which is then the sector.
func (s *Service) checkSector(ctx context.Context, m oauth.Metadata) *oauth.Error {
	if m.SectorIdentifierURI == "" {
		if pairwise.Applies(m) {
			if _, err := pairwise.Sector(m); err != nil {
				return invalidMetadata("sector_identifier_uri", "is required for a pairwise client whose redirect URIs are on several hosts")
			}
		}
		return nil
	}
	if s.sectors == nil {
		return invalidMetadata("sector_identifier_uri", "cannot be fetched by this server")
	}
	listed, err := s.sectors.SectorURIs(ctx, m.SectorIdentifierURI)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return oauth.ErrTemporarilyUnavailable().WithCause(err)
		}
		return invalidMetadata("sector_identifier_uri", "could not be read as a JSON array of URIs")
	}
	for _, uri := range m.RedirectURIs {
		if !slices.Contains(listed, uri) {
			return invalidMetadata("sector_identifier_uri", "does not list the redirect URI %s", quote(uri))
		}
	}
	return nil
}
