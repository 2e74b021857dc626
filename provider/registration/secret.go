package registration

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
)

// maxSecretLen matches what the codec accepts.
const maxSecretLen = oauth.MaxClientSecret

// newSecret is the secret of a new client with metadata m: preferred when
// given, generated when the client needs one. It returns the stored form
// and the plain secret to show (empty for a preferred hash).
func (s *Service) newSecret(m oauth.Metadata, preferred string) (stored, plain string, err error) {
	if preferred != "" {
		return s.preferredSecret(m, preferred)
	}
	if secrets.NeedOf(m) == secrets.NoSecret {
		return "", "", nil
	}
	return s.generateSecret(m)
}

func (s *Service) generateSecret(m oauth.Metadata) (stored, plain string, err error) {
	plain, err = secrets.GenerateFor(m)
	if err != nil {
		return "", "", oauth.ErrServerError().WithCause(err)
	}
	stored, err = s.codec.EncodeFor(m, plain)
	if err != nil {
		return "", "", oauth.ErrServerError().WithCause(err)
	}
	return stored, plain, nil
}

// preferredSecret checks a preferred_client_secret and encodes it. A BCrypt
// or Argon2 hash is kept as given, for clients whose secret is only ever
// compared; a client that needs its secret back cannot use one.
func (s *Service) preferredSecret(m oauth.Metadata, p string) (stored, plain string, err error) {
	const member = memberPreferredClientSecret
	need := secrets.NeedOf(m)
	switch {
	case need == secrets.NoSecret:
		return "", "", invalidMetadata(member, "this client uses no secret (token_endpoint_auth_method %s)", m.TokenEndpointAuthMethod)
	case secrets.IsHash(p) && need == secrets.Recoverable:
		return "", "", invalidMetadata(member, "is a hash, but this client needs a secret the server can recover "+
			"(client_secret_jwt, an HS algorithm or dir encryption)")
	case secrets.IsHash(p):
		return p, "", nil
	case secrets.IsHashLike(p):
		return "", "", invalidMetadata(member, "looks like a hash but is not a well-formed BCrypt or Argon2 hash within the accepted cost")
	case len(p) > maxSecretLen:
		return "", "", invalidMetadata(member, "must be at most %d bytes long", maxSecretLen)
	case len(p) < secrets.MinSecretLen(m):
		return "", "", invalidMetadata(member, "must be at least %d bytes long to serve as the key of the HS algorithms this client uses",
			secrets.MinSecretLen(m))
	}
	stored, err = s.codec.EncodeFor(m, p)
	if err != nil {
		return "", "", oauth.ErrServerError().WithCause(err)
	}
	return stored, p, nil
}

// nextSecret sets the secret of next, the replacement of old, following
// the rules in the package documentation, and returns the plain secret
// when a new one was issued or set.
func (s *Service) nextSecret(ctx context.Context, old oauth.Client, next *oauth.Client, req *Request) (string, error) {
	m := next.Metadata
	now := s.clock()
	if secrets.NeedOf(m) == secrets.NoSecret {
		if req.PreferredClientSecret != "" {
			_, _, err := s.preferredSecret(m, req.PreferredClientSecret)
			return "", err
		}
		next.Secret, next.SecretExpiresAt = "", time.Time{}
		next.PreviousSecret, next.PreviousSecretExpiresAt = "", time.Time{}
		return "", nil
	}
	replace := false
	switch {
	case req.PreferredClientSecret != "":
		same, err := s.isCurrent(ctx, old, req.PreferredClientSecret)
		if err != nil {
			return "", err
		}
		if !same {
			stored, plain, err := s.preferredSecret(m, req.PreferredClientSecret)
			if err != nil {
				return "", err
			}
			s.rotate(old, next, stored, now)
			return plain, nil
		}
	case req.ClientSecret != nil:
		same, err := s.isCurrent(ctx, old, *req.ClientSecret)
		if err != nil {
			return "", err
		}
		replace = !same
	}
	if !replace && s.keepable(old.Secret, m) {
		s.keep(old, next, now)
		return "", nil
	}
	stored, plain, err := s.generateSecret(m)
	if err != nil {
		return "", err
	}
	s.rotate(old, next, stored, now)
	return plain, nil
}

// keepable: a secret can stay unless there is none, or it is a hash and
// the client now needs its secret back.
func (s *Service) keepable(stored string, m oauth.Metadata) bool {
	return stored != "" && !(isHashed(stored) && secrets.NeedOf(m) == secrets.Recoverable)
}

// keep carries old's secrets over to next, re-encoded where their form no
// longer fits (a legacy plain value, a retired key, a recoverable secret
// the client no longer needs recoverable). A value that cannot be
// re-encoded is kept as it is: nothing is lost by an update.
func (s *Service) keep(old oauth.Client, next *oauth.Client, now time.Time) {
	if stored, err := s.codec.Reencode(next.Metadata, old.Secret); err == nil {
		next.Secret = stored
	}
	if !secrets.PreviousSecretValid(old, now) {
		next.PreviousSecret, next.PreviousSecretExpiresAt = "", time.Time{}
		return
	}
	if prev, err := s.codec.Reencode(next.Metadata, old.PreviousSecret); err == nil {
		next.PreviousSecret = prev
	}
}

// rotate makes stored next's secret; old's current secret, if still valid,
// stays valid for the rollover window.
func (s *Service) rotate(old oauth.Client, next *oauth.Client, stored string, now time.Time) {
	next.Secret, next.SecretExpiresAt = stored, time.Time{}
	next.PreviousSecret, next.PreviousSecretExpiresAt = "", time.Time{}
	if s.rollover <= 0 || !secrets.CurrentSecretValid(old, now) {
		return
	}
	prev, err := s.codec.Reencode(next.Metadata, old.Secret)
	if err != nil {
		return // an unreadable old secret is not worth keeping
	}
	next.PreviousSecret, next.PreviousSecretExpiresAt = prev, now.Add(s.rollover)
}

// isCurrent reports whether presented is old's current secret; a hash is
// compared as given. Only a busy verifier is an error: a stored value that
// cannot be checked is as good as a different one, and gets replaced.
func (s *Service) isCurrent(ctx context.Context, old oauth.Client, presented string) (bool, error) {
	if old.Secret == "" {
		return false, nil
	}
	if secrets.IsHashLike(presented) {
		return presented == old.Secret, nil
	}
	ok, err := s.verifier.Verify(ctx, old.ID, old.Version, old.Secret, presented)
	if errors.Is(err, secrets.ErrBusy) {
		return false, s.storeError(err)
	}
	return ok, nil
}

func isHashed(stored string) bool {
	switch secrets.Kind(stored) {
	case secrets.Argon2id, secrets.Argon2i, secrets.BCrypt:
		return true
	}
	return false
}
