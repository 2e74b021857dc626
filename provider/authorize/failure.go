package authorize

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Failure is the error Parse returns. Until the client and its redirect
// URI are known, an error cannot safely go anywhere but to the person
// (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6): Redirect is nil and
// the error is shown as a page. After that, Redirect is the response that
// carries it to the client.
type Failure struct {
	Err *oauth.Error
	// Redirect is the error response for the client; nil for a page.
	Redirect *Response
	// ClientID is the client_id of the request, when there was one, for
	// the log.
	ClientID string
}

func (f *Failure) Error() string {
	if f.Redirect == nil {
		return "authorize: " + f.Err.Error() + " (shown)"
	}
	return "authorize: " + f.Err.Error() + " (redirected)"
}

func (f *Failure) Unwrap() error { return f.Err }

// LogValue shows the error, whether it was redirected and the client.
func (f *Failure) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Attr{Key: "error", Value: f.Err.LogValue()},
		slog.Bool("redirected", f.Redirect != nil),
		slog.String("client_id", f.ClientID),
	)
}

// showFailure makes a Failure that must be shown as a page.
func showFailure(clientID string, e *oauth.Error) *Failure {
	return &Failure{Err: e, ClientID: clientID}
}

// replyTo is where errors go once the redirect URI is known.
type replyTo struct {
	issuer, clientID, uri, mode, state string
	// given: the request named uri as its redirect_uri.
	given bool
}

func (t replyTo) fail(e *oauth.Error) *Failure {
	return &Failure{Err: e, ClientID: t.clientID, Redirect: &Response{
		RedirectURI: t.uri, Mode: t.mode, Params: errorParams(e, t.state),
		Issuer: t.issuer, ClientID: t.clientID,
	}}
}

// invalid builds an error whose description names the parameter at fault.
func invalid(newErr func() *oauth.Error, param, format string, args ...any) *oauth.Error {
	return newErr().WithDescription(param + ": " + fmt.Sprintf(format, args...))
}

// errorParams are the parameters of an error response (RFC 6749 §4.1.2.1).
func errorParams(e *oauth.Error, state string) url.Values {
	v := url.Values{"error": {e.Code}}
	if d := safeDescription(e.Description); d != "" {
		v.Set("error_description", d)
	}
	if state != "" {
		v.Set("state", state)
	}
	return v
}

// safeDescription keeps error_description within the characters RFC 6749
// §4.1.2.1 allows (%x20-21 / %x23-5B / %x5D-7E): descriptions can quote
// what the client sent, and anything else becomes '?'.
func safeDescription(d string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '?'
		}
		return r
	}, d)
}
