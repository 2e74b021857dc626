package clientauth

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/secrets"
)

// bySecret authenticates client_secret_basic and client_secret_post.
func (a *Authenticator) bySecret(ctx context.Context, cr credentials, method string) (Result, *oauth.Error) {
	basic := method == MethodSecretBasic
	if !a.enabled(method) {
		return Result{}, a.refuse(basic, "The client authentication method "+method+" is not supported.", errNotEnabled)
	}
	if cr.clientID == "" {
		return Result{}, invalidRequest("client_id is required with client_secret.")
	}
	if len(cr.secret) > oauth.MaxClientSecret {
		// No stored secret is that long (the codec refuses them): a wrong
		// secret, found without asking the directory or hashing it.
		return Result{}, a.refuse(basic, descFailed, fmt.Errorf("%w: %d bytes (at most %d)", errWrongSecret, len(cr.secret), oauth.MaxClientSecret))
	}
	c, e := a.lookup(ctx, cr.clientID, basic)
	if e != nil {
		return Result{}, e
	}
	if e := a.checkMethod(c, method, basic); e != nil {
		return Result{}, e
	}
	now := a.now()
	ok, err := a.verifier.CheckClient(ctx, c, cr.secret, now)
	switch {
	case ok:
		return Result{Client: c, Method: method}, nil
	case errors.Is(err, secrets.ErrBusy):
		return Result{}, unavailable(err)
	case err != nil:
		return Result{}, serverError(fmt.Errorf("client %q: stored secret: %w", c.ID, err))
	case !secrets.CurrentSecretValid(c, now) && !secrets.PreviousSecretValid(c, now):
		return Result{}, a.refuse(basic, descFailed, errSecretExpired)
	}
	return Result{}, a.refuse(basic, descFailed, errWrongSecret)
}
