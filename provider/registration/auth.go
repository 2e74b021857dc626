package registration

import (
	"context"
	"errors"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

func errMissingToken() *oauth.Error {
	return oauth.ErrInvalidToken().WithDescription("this endpoint needs a bearer token")
}

func errBadToken() *oauth.Error {
	return oauth.ErrInvalidToken().WithDescription("the bearer token is not valid here")
}

func errOtherClient() *oauth.Error {
	return oauth.ErrInsufficientScope().WithDescription("a registration access token is good for its own client only")
}

// AuthorizeCollection decides a request to /clients itself: listing needs
// the master token, registering the master token or open registration.
func (s *Service) AuthorizeCollection(ctx context.Context, token string, register bool) (Access, error) {
	switch {
	case token == "" && register && s.open:
		return Open, nil
	case token == "":
		return 0, errMissingToken()
	case s.master.matches(token):
		return Master, nil
	}
	mine, err := s.ownedElsewhere(ctx, token, "")
	switch {
	case err != nil:
		return 0, err
	case mine:
		return 0, errOtherClient()
	}
	return 0, errBadToken()
}

// AuthorizeEntry decides a request to /clients/{id}: the master token, or
// the entry's own registration access token. RFC 7592 §2.1 answers a
// client that does not exist with 401 (unless the master asks: 404, later);
// a valid token of another client gets 403.
func (s *Service) AuthorizeEntry(ctx context.Context, token, id string) (Access, error) {
	switch {
	case token == "":
		return 0, errMissingToken()
	case s.master.matches(token):
		return Master, nil
	}
	c, err := s.store.Get(ctx, id)
	switch {
	case err == nil && tokenMatches(c, token):
		return Self, nil
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return 0, s.storeError(err)
	}
	mine, err := s.ownedElsewhere(ctx, token, id)
	switch {
	case err != nil:
		return 0, err
	case mine:
		return 0, errOtherClient()
	}
	return 0, errBadToken()
}

// ownedElsewhere reports whether token is the valid registration access
// token of a client other than id.
func (s *Service) ownedElsewhere(ctx context.Context, token, id string) (bool, error) {
	owner := tokenClient(token)
	if owner == "" || owner == id {
		return false, nil
	}
	c, err := s.store.Get(ctx, owner)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, s.storeError(err)
	}
	return tokenMatches(c, token), nil
}
