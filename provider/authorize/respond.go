package authorize

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Response is an authorization response, successful or not, on its way
// to the client's redirect URI.
type Response struct {
	RedirectURI string
	// Mode is query, fragment, form_post or one of their .jwt forms.
	Mode   string
	Params url.Values
	// Issuer is added to the parameters as iss (RFC 9207); it is required.
	Issuer string
	// ClientID is the audience of a JWT response.
	ClientID string
}

// Encoder makes the single JWT of the JWT Secured Authorization Response
// Mode (JARM §2): a token whose claims are resp.Params (iss included) with
// aud = resp.ClientID, signed and perhaps encrypted for the client. The
// writer sends it as the one parameter "response" in the mode's plain
// form.
type Encoder interface {
	EncodeResponse(ctx context.Context, resp Response) (string, error)
}

// Errors of Respond, written before anything reaches the client.
var (
	ErrJWTModeUnavailable = errors.New("authorize: JWT response modes need a JARM encoder, and the writer has none")
	ErrUnknownMode        = errors.New("authorize: unknown response mode")
	ErrNoIssuer           = errors.New("authorize: response without an issuer (RFC 9207 wants iss)")
	ErrBadRedirectURI     = errors.New("authorize: redirect URI unfit for a response")
)

// Writer writes authorization responses. The zero Writer serves query,
// fragment and form_post; the JWT modes need JWT.
type Writer struct {
	JWT Encoder
}

// Respond writes resp with a writer without a JWT encoder.
func Respond(w http.ResponseWriter, resp Response) error {
	return Writer{}.Respond(context.Background(), w, resp)
}

// Serves reports whether the writer can produce responses in mode.
func (wr Writer) Serves(mode string) bool {
	if IsJWTMode(mode) {
		return wr.JWT != nil && slices.Contains(knownModes, mode)
	}
	return mode == ModeQuery || mode == ModeFragment || mode == ModeFormPost
}

// ServedModes filters the configured response modes (op.authz.responseModes)
// down to those the writer can produce: what Config.ResponseModes and
// discovery's response_modes_supported should list.
func (wr Writer) ServedModes(configured []string) []string {
	var out []string
	for _, m := range configured {
		if wr.Serves(m) {
			out = append(out, m)
		}
	}
	return out
}

// Respond sends resp to the client: a 302 redirect for query and
// fragment, an auto-submitting form for form_post. iss is always added
// (RFC 9207); with a JWT mode the parameters become the claims of one JWT.
// Every error but a failed write of the form_post page is returned before
// anything is written, so the caller can still show an error page.
func (wr Writer) Respond(ctx context.Context, w http.ResponseWriter, resp Response) error {
	if resp.Issuer == "" {
		return ErrNoIssuer
	}
	u, err := url.Parse(resp.RedirectURI)
	if err != nil || !u.IsAbs() || unsafeScheme(u.Scheme) {
		return fmt.Errorf("%w: %q", ErrBadRedirectURI, resp.RedirectURI)
	}
	params := make(url.Values, len(resp.Params)+1)
	for k, v := range resp.Params {
		params[k] = slices.Clone(v)
	}
	params.Set("iss", resp.Issuer)
	mode := resp.Mode
	if IsJWTMode(mode) {
		if mode == ModeJWT || !slices.Contains(knownModes, mode) {
			return fmt.Errorf("%w: %q", ErrUnknownMode, mode)
		}
		if wr.JWT == nil {
			return ErrJWTModeUnavailable
		}
		resp.Params = params
		token, err := wr.JWT.EncodeResponse(ctx, resp)
		if err != nil {
			return fmt.Errorf("authorize: encode JWT response: %w", err)
		}
		params = url.Values{"response": {token}}
		mode = strings.TrimSuffix(mode, ".jwt")
	}
	switch mode {
	case ModeQuery:
		redirect(w, withQuery(u, params))
	case ModeFragment:
		redirect(w, withFragment(u, params))
	case ModeFormPost:
		return writeFormPost(w, u, params)
	default:
		return fmt.Errorf("%w: %q", ErrUnknownMode, resp.Mode)
	}
	return nil
}

// unsafeScheme: schemes that would run code or show content of the
// client's choosing instead of reaching it. Registration refuses them too.
func unsafeScheme(scheme string) bool {
	switch strings.ToLower(scheme) {
	case "javascript", "data", "vbscript":
		return true
	}
	return false
}

// redirect answers with 302 Found (RFC 6749 §4.1.2). The Location holds
// codes and tokens: nothing may cache it.
func redirect(w http.ResponseWriter, location string) {
	h := w.Header()
	h.Set("Location", location)
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusFound)
}

// withQuery adds params to the redirect URI's query, keeping the query it
// has (RFC 6749 §3.1.2): its own pairs stay as they are written, except
// those that share a name with a response parameter, which would make
// the response ambiguous.
func withQuery(u *url.URL, params url.Values) string {
	var kept []string
	if u.RawQuery != "" {
		for pair := range strings.SplitSeq(u.RawQuery, "&") {
			name, _, _ := strings.Cut(pair, "=")
			if decoded, err := url.QueryUnescape(name); err == nil && params.Has(decoded) {
				continue
			}
			kept = append(kept, pair)
		}
	}
	out := *u
	out.Fragment, out.RawFragment = "", ""
	out.RawQuery = strings.Join(append(kept, params.Encode()), "&")
	out.ForceQuery = false
	return out.String()
}

// withFragment puts params in the fragment (Multiple Response Type
// Encoding Practices §2.1), replacing any fragment the URI had.
func withFragment(u *url.URL, params url.Values) string {
	out := *u
	out.Fragment, out.RawFragment = "", ""
	return out.String() + "#" + params.Encode()
}
