package clientauth

import (
	"errors"
	"net/http"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Realm is the realm of the Basic challenge.
const Realm = "gatehouse"

// challenge is the WWW-Authenticate value of an invalid_client answer
// (RFC 6749 §5.2, RFC 7617 §2).
const challenge = `Basic realm="` + Realm + `"`

// Causes of a refusal, for the log and for tests; clients see the
// descriptions below, never these.
var (
	errNoCredentials     = errors.New("no client credentials")
	errMalformedHeader   = errors.New("malformed Authorization header")
	errNotEnabled        = errors.New("authentication method not enabled")
	errUnknownClient     = errors.New("unknown client")
	errMethodMismatch    = errors.New("authentication method differs from the registered one")
	errWrongSecret       = errors.New("wrong client secret")
	errSecretExpired     = errors.New("the client has no valid secret: expired or rolled over")
	errClientIDMismatch  = errors.New("client_id parameter names another client")
	errAssertionType     = errors.New("unsupported client_assertion_type")
	errMalformedJWT      = errors.New("malformed client assertion")
	errAlgNotAccepted    = errors.New("assertion algorithm not accepted for this client")
	errNoKeys            = errors.New("no key to verify the assertion with")
	errBadSignature      = errors.New("assertion signature does not verify")
	errIssuerSubject     = errors.New("assertion iss and sub are not both the client_id")
	errAudience          = errors.New("assertion aud does not name this server")
	errNoExpiry          = errors.New("assertion without exp")
	errExpired           = errors.New("assertion expired")
	errTooLong           = errors.New("assertion lifetime too long")
	errNotYetValid       = errors.New("assertion nbf or iat in the future")
	errNoJTI             = errors.New("assertion without jti")
	errReplayed          = errors.New("assertion jti used before")
	errUnrecoverableKeys = errors.New("stored secret cannot serve as a key")
)

const (
	descFailed      = "Client authentication failed."
	descRequired    = "Client authentication is required."
	descUnavailable = "The service is temporarily unavailable; try again later."
	descServerError = "The client's credentials could not be checked."
)

// refuse builds an invalid_client answer: 401 when a challenge fits (the
// client tried Basic, or Basic is on offer), 400 otherwise, since a 401
// must carry a challenge (RFC 9110 §15.5.2).
func (a *Authenticator) refuse(triedBasic bool, desc string, cause error) *oauth.Error {
	e := oauth.ErrInvalidClient().WithDescription(desc).WithCause(cause)
	if !triedBasic && !a.enabled(MethodSecretBasic) {
		e = e.WithStatus(http.StatusBadRequest)
	}
	return e
}

func unavailable(cause error) *oauth.Error {
	return oauth.ErrTemporarilyUnavailable().WithDescription(descUnavailable).WithCause(cause)
}

func serverError(cause error) *oauth.Error {
	return oauth.ErrServerError().WithDescription(descServerError).WithCause(cause)
}

func invalidRequest(desc string) *oauth.Error {
	return oauth.ErrInvalidRequest().WithDescription(desc)
}

// WriteError writes e as JSON, for a request that came with header. An
// invalid_client answered 401 carries the Basic challenge, and one for a
// request that tried the Authorization header is always answered so
// (RFC 6749 §5.2), whoever made the error.
func (a *Authenticator) WriteError(w http.ResponseWriter, header http.Header, e *oauth.Error) {
	if e.Code == oauth.ErrInvalidClient().Code {
		if len(header.Values("Authorization")) > 0 && e.Status != http.StatusUnauthorized {
			e = e.WithStatus(http.StatusUnauthorized)
		}
		if e.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", challenge)
		}
	}
	e.WriteJSON(w)
}
