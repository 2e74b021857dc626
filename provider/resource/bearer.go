package resource

import (
	"net/http"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// readBearer finds the access token of a request to a protected resource:
// in the Authorization header (RFC 6750 §2.1) or in a POSTed form body
// (§2.2). It returns "" when the request carries none. The URL query
// (§2.3) is refused rather than ignored, so that the client learns it
// leaked the token into logs and history.
func readBearer(w http.ResponseWriter, r *http.Request) (string, *oauth.Error) {
	if r.URL.Query().Has("access_token") {
		return "", oauth.ErrInvalidRequest().WithDescription("The access token must not be sent in the URL.")
	}
	fromHeader, e := headerToken(r.Header.Values("Authorization"))
	if e != nil {
		return "", e
	}
	var fromBody string
	if r.Method == http.MethodPost && isForm(r) {
		form, e := readBody(w, r)
		if e != nil {
			return "", e
		}
		fromBody = form.Get("access_token")
	}
	if fromHeader != "" && fromBody != "" {
		// RFC 6750 §2: "Clients MUST NOT use more than one method to
		// transmit the token in each request."
		return "", oauth.ErrInvalidRequest().WithDescription("Send the access token one way only.")
	}
	return fromHeader + fromBody, nil
}

// headerToken reads "Bearer <token68>". A header of another scheme carries
// no bearer token; one that says Bearer but holds no valid token is a
// malformed request.
func headerToken(values []string) (string, *oauth.Error) {
	switch len(values) {
	case 0:
		return "", nil
	case 1:
	default:
		return "", oauth.ErrInvalidRequest().WithDescription("Send one Authorization header.")
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", nil
	}
	token = strings.TrimSpace(token)
	if !isToken68(token) {
		return "", oauth.ErrInvalidRequest().WithDescription("The Authorization header must hold a bearer token.")
	}
	return token, nil
}

// isToken68 checks the b64token syntax of RFC 6750 §2.1.
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range body {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune("-._~+/", c):
		default:
			return false
		}
	}
	return true
}
