package registration

import (
	"context"
	"errors"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Outcome says what Import did.
type Outcome int

const (
	Created Outcome = iota + 1
	Updated
)

func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Updated:
		return "updated"
	}
	return "unchanged"
}

// Import creates or updates one client on the master's authority, for
// migrations: the entry is named by client_id (or preferred_client_id), and
// a client_secret is taken as preferred_client_secret, so that a client
// exported from another server keeps its ID and secret. Without an ID a
// new client is created.
func (s *Service) Import(ctx context.Context, req *Request) (Outcome, ClientInfo, error) {
	r := *req
	if r.PreferredClientSecret == "" && r.ClientSecret != nil {
		r.PreferredClientSecret = *r.ClientSecret
	}
	r.ClientSecret = nil
	id := r.ClientID
	switch {
	case id == "":
		id = r.PreferredClientID
	case r.PreferredClientID != "" && r.PreferredClientID != id:
		return 0, ClientInfo{}, oauth.ErrInvalidRequest().WithDescription("client_id and preferred_client_id differ")
	}
	r.ClientID, r.PreferredClientID = "", id
	if id != "" {
		_, err := s.store.Get(ctx, id)
		switch {
		case err == nil:
			r.PreferredClientID = ""
			info, err := s.Replace(ctx, id, &r, Master)
			return Updated, info, err
		case !errors.Is(err, storage.ErrNotFound):
			return 0, ClientInfo{}, s.storeError(err)
		}
	}
	info, err := s.Create(ctx, &r, Master)
	return Created, info, err
}
