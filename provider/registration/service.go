package registration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// Access says on whose authority a request is made.
type Access int

const (
	// Open: no token, under open registration.
	Open Access = iota + 1
	// Self: the client's own registration access token.
	Self
	// Master: the master token, or the administrator at the shell.
	Master
)

// Options are a Service's dependencies.
type Options struct {
	Store    ClientStore
	Codec    *secrets.Codec
	Verifier *secrets.Verifier
	Config   Config
	// Endpoint is the absolute URL of the registration endpoint; a
	// client's configuration endpoint is Endpoint + "/" + its ID.
	Endpoint string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sectors reads sector_identifier_uri documents; nil refuses clients
	// that register one.
	Sectors SectorFetcher
}

// Service creates, reads, replaces, deletes, lists and imports clients.
// It is safe for concurrent use.
type Service struct {
	store    ClientStore
	codec    *secrets.Codec
	verifier *secrets.Verifier
	master   masterToken
	open     bool
	rollover time.Duration
	policy   Policy
	endpoint string
	now      func() time.Time
	sectors  SectorFetcher
}

// NewService checks the options.
func NewService(o Options) (*Service, error) {
	if o.Store == nil || o.Codec == nil || o.Verifier == nil {
		return nil, errors.New("registration: store, codec and verifier are required")
	}
	if o.Config.SecretRolloverWindow < 0 {
		return nil, errors.New("registration: the secret rollover window must not be negative")
	}
	master, err := newMasterToken(o.Config.MasterTokenSHA256)
	if err != nil {
		return nil, err
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		store:    boundedStore{o.Store},
		codec:    o.Codec,
		verifier: o.Verifier,
		master:   master,
		open:     o.Config.AllowOpenRegistration,
		rollover: o.Config.SecretRolloverWindow,
		policy:   o.Config.Policy,
		endpoint: strings.TrimSuffix(o.Endpoint, "/"),
		now:      now,
		sectors:  o.Sectors,
	}, nil
}

// clock is the current time as stored: whole seconds, UTC.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

func (s *Service) clientURI(id string) string { return s.endpoint + "/" + url.PathEscape(id) }

func (s *Service) info(c oauth.Client) ClientInfo {
	return ClientInfo{Client: c, RegistrationURI: s.clientURI(c.ID)}
}

// Create registers a new client (RFC 7591 §3.1).
func (s *Service) Create(ctx context.Context, req *Request, who Access) (ClientInfo, error) {
	if err := checkMasterOnly(req, who); err != nil {
		return ClientInfo{}, err
	}
	m := req.Metadata.Clone()
	if err := checkCreateGuarded(m, who); err != nil {
		return ClientInfo{}, err
	}
	if err := validate(&m, s.policy, who == Open); err != nil {
		return ClientInfo{}, err
	}
	if err := markOpen(&m, who); err != nil {
		return ClientInfo{}, err
	}
	if err := s.checkSector(s.fetchContext(ctx, m, "", who), m); err != nil {
		return ClientInfo{}, err
	}
	id := req.PreferredClientID
	if id == "" {
		id = newClientID()
	} else if p := clientIDProblem(id); p != "" {
		return ClientInfo{}, invalidMetadata(memberPreferredClientID, "%s", p)
	}
	stored, plain, err := s.newSecret(m, req.PreferredClientSecret)
	if err != nil {
		return ClientInfo{}, err
	}
	token, err := newRegistrationToken(id)
	if err != nil {
		return ClientInfo{}, oauth.ErrServerError().WithCause(err)
	}
	c, err := s.store.Create(ctx, oauth.Client{
		ID:                    id,
		IDIssuedAt:            s.clock(),
		Secret:                stored,
		RegistrationTokenHash: hashToken(token),
		RegistrationURI:       s.clientURI(id),
		Metadata:              m,
	})
	if err != nil {
		return ClientInfo{}, s.storeError(err)
	}
	info := s.info(c)
	info.Secret, info.RegistrationToken = plain, token
	return info, nil
}

// Get reads a client (RFC 7592 §2.1).
func (s *Service) Get(ctx context.Context, id string) (ClientInfo, error) {
	c, err := s.store.Get(ctx, id)
	if err != nil {
		return ClientInfo{}, s.storeError(err)
	}
	return s.info(c), nil
}

// Replace replaces a client's metadata with the request's (RFC 7592 §2.2);
// see the package documentation for what happens to the secret.
func (s *Service) Replace(ctx context.Context, id string, req *Request, who Access) (ClientInfo, error) {
	if err := checkMasterOnly(req, who); err != nil {
		return ClientInfo{}, err
	}
	if req.ClientID != "" && req.ClientID != id {
		return ClientInfo{}, oauth.ErrInvalidRequest().WithDescription("client_id: does not match the client being updated")
	}
	m := req.Metadata.Clone()
	if err := validate(&m, s.policy, false); err != nil {
		return ClientInfo{}, err
	}
	if err := s.checkSector(s.fetchContext(ctx, m, id, who), m); err != nil {
		return ClientInfo{}, err
	}
	var plain string
	c, err := s.update(ctx, id, func(old oauth.Client) (oauth.Client, error) {
		next, issued, err := s.replaced(ctx, old, m, req, who)
		plain = issued
		return next, err
	})
	if err != nil {
		return ClientInfo{}, err
	}
	info := s.info(c)
	info.Secret = plain
	return info, nil
}

// maxUpdateTries bounds the retries of an update that lost a race.
const maxUpdateTries = 3

// update runs the store's compare-and-swap update, again when someone
// else's write came in between, and forgets cached secret checks of the
// client once it changed.
func (s *Service) update(ctx context.Context, id string, fn func(oauth.Client) (oauth.Client, error)) (oauth.Client, error) {
	var err error
	for range maxUpdateTries {
		var c oauth.Client
		c, err = s.store.Update(ctx, id, fn)
		if err == nil {
			s.verifier.Forget(id)
			return c, nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	return oauth.Client{}, s.storeError(err)
}

// replaced is the new state of client old after a replace request.
func (s *Service) replaced(ctx context.Context, old oauth.Client, m oauth.Metadata, req *Request, who Access) (oauth.Client, string, error) {
	next := old
	next.Metadata = m.Clone()
	if who == Self {
		if err := s.checkGrantGrowth(old.Metadata.GrantTypes, m.GrantTypes); err != nil {
			return oauth.Client{}, "", err
		}
		// The client cannot send data (it is the master's); keep it.
		next.Metadata.Extra = withMember(next.Metadata.Extra, memberData, old.Metadata.Extra)
		if err := keepGuarded(&next.Metadata, old.Metadata); err != nil {
			return oauth.Client{}, "", err
		}
	}
	if err := openReplace(&next.Metadata, old.Metadata, who, s.policy); err != nil {
		return oauth.Client{}, "", err
	}
	if old.RegistrationTokenHash == "" && old.LegacyRegistrationToken != "" {
		// An entry from another server: keep its token working, hashed.
		next.RegistrationTokenHash = hashToken(old.LegacyRegistrationToken)
		next.LegacyRegistrationToken = ""
	}
	next.RegistrationURI = s.clientURI(old.ID)
	plain, err := s.nextSecret(ctx, old, &next, req)
	if err != nil {
		return oauth.Client{}, "", err
	}
	return next, plain, nil
}

// checkGrantGrowth keeps a client from giving itself grant types: with its
// own token it may keep or drop grant types, and add only those open
// registration would have given it.
func (s *Service) checkGrantGrowth(old, requested []string) *oauth.Error {
	if old == nil {
		old = []string{grantCode} // RFC 7591 §2 default
	}
	for _, g := range requested {
		if slices.Contains(old, g) || s.open && slices.Contains(openGrantTypes, g) {
			continue
		}
		return invalidMetadata("grant_types", "%q can only be added with the master token", g)
	}
	return nil
}

// withMember returns extra with member name copied from src, or removed
// when src lacks it.
func withMember(extra map[string]json.RawMessage, name string, src map[string]json.RawMessage) map[string]json.RawMessage {
	v, ok := src[name]
	if !ok {
		delete(extra, name)
		return extra
	}
	if extra == nil {
		extra = map[string]json.RawMessage{}
	}
	extra[name] = v
	return extra
}

// Delete removes a client (RFC 7592 §2.3).
func (s *Service) Delete(ctx context.Context, id string) error {
	if err := s.store.Delete(ctx, id); err != nil {
		return s.storeError(err)
	}
	s.verifier.Forget(id)
	return nil
}

// ErrUnreadable marks an entry List could not read; the listing goes on
// after it.
var ErrUnreadable = errors.New("a stored client registration cannot be read")

// List yields every client. An entry that cannot be read yields an error
// matching ErrUnreadable and the listing goes on; after any other error it
// stops.
func (s *Service) List(ctx context.Context) iter.Seq2[ClientInfo, error] {
	return func(yield func(ClientInfo, error) bool) {
		for c, err := range s.store.List(ctx) {
			switch {
			case errors.Is(err, storage.ErrMalformed):
				if !yield(ClientInfo{}, fmt.Errorf("%w: %w", ErrUnreadable, err)) {
					return
				}
			case err != nil:
				yield(ClientInfo{}, s.storeError(err))
				return
			case !yield(s.info(c), nil):
				return
			}
		}
	}
}

// checkMasterOnly refuses the members only the master token may send.
func checkMasterOnly(req *Request, who Access) *oauth.Error {
	if who == Master {
		return nil
	}
	if names := req.masterOnly(); len(names) > 0 {
		return invalidMetadata(names[0], "only the master token may set it")
	}
	return nil
}
