package tokens

import (
	"errors"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/pairwise"
)

// sealedSubjectClaim carries, in an access token with a pairwise sub, the
// person's own subject sealed, for this server's endpoints alone.
const sealedSubjectClaim = "gatehouse_sub"

// errNoPairwise: a pairwise client, and no secret to derive its subs from.
var errNoPairwise = errors.New("tokens: the client's subject_type is pairwise, and pairwise subjects are not configured")

// PublicSubject is the sub a client knows the person local by: local
// itself, or for a client registered with subject_type pairwise the
// person's pairwise sub in the client's sector.
func (m *Minter) PublicSubject(c oauth.Metadata, local string) (string, error) {
	if !pairwise.Applies(c) {
		return local, nil
	}
	if m.pairwise == nil {
		return "", errNoPairwise
	}
	return m.pairwise.Subject(sectorOrFallback(c), local), nil
}

// PairwiseSupported says whether clients may register subject_type
// pairwise (discovery's subject_types_supported).
func (m *Minter) PairwiseSupported() bool { return m.pairwise != nil }

// pairwiseAccess gives an access token of a pairwise client its public
// sub, and returns the person's own subject sealed for the token; ""
// when the sub is the person's own.
func (m *Minter) pairwiseAccess(ac *AccessClaims, in AccessToken) (string, error) {
	if in.Client == nil || in.Subject == "" || !pairwise.Applies(*in.Client) {
		return "", nil
	}
	sub, err := m.PublicSubject(*in.Client, in.Subject)
	if err != nil {
		return "", err
	}
	ac.PublicSubject = sub
	return m.pairwise.Seal(in.Subject)
}

// openSubject restores the person's own subject of a token minted by
// pairwiseAccess.
func (m *Minter) openSubject(ac AccessClaims, sealed string) (AccessClaims, error) {
	if sealed == "" {
		return ac, nil
	}
	if m.pairwise == nil {
		return AccessClaims{}, invalid("a sealed subject, and pairwise subjects are not configured")
	}
	local, err := m.pairwise.Open(sealed)
	if err != nil {
		return AccessClaims{}, invalidCause(err, "sealed subject")
	}
	ac.PublicSubject, ac.Subject = ac.Subject, local
	return ac, nil
}

// Pairwise returns the pairwise subjects the minter was given, or nil.
func (m *Minter) Pairwise() *pairwise.Subjects { return m.pairwise }

// noSector names the sector of a pairwise client whose registration
// gives none (no redirect URI to take a host from).
const noSector = "gatehouse:no-sector"

// sectorOrFallback is the client's sector; for a registration stored
// before registration checked sectors (redirect URIs on several hosts and
// no sector_identifier_uri), the host of its first redirect URI, so that
// such a client still gets a stable pairwise sub and never the person's
// own subject, nor an error.
func sectorOrFallback(c oauth.Metadata) string {
	if sector, err := pairwise.Sector(c); err == nil {
		return sector
	}
	for _, raw := range c.RedirectURIs {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return noSector
}
