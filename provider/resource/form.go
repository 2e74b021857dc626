package resource

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// maxBody bounds a request's form.
const maxBody = oauth.MaxTokenRequest

// isForm reports whether the request declares a form body.
func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// readBody parses a form body, bounded, with no parameter given twice
// (RFC 6749 §3.2).
func readBody(w http.ResponseWriter, r *http.Request) (url.Values, *oauth.Error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, oauth.ErrInvalidRequest().WithDescription("The request body is too large.").WithStatus(http.StatusRequestEntityTooLarge)
		}
		return nil, oauth.ErrInvalidRequest().WithDescription("The request body is not a valid form.")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			return nil, oauth.ErrInvalidRequest().WithDescription(name + " is given more than once.")
		}
	}
	return r.PostForm, nil
}

// readClientForm reads the body of an introspection or revocation
// request: POST, a form, nothing in the URL (RFC 7662 §2.1, RFC 7009 §2.1).
func readClientForm(w http.ResponseWriter, r *http.Request) (url.Values, *oauth.Error) {
	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		return nil, oauth.ErrInvalidRequest().WithDescription("Use POST.").WithStatus(http.StatusMethodNotAllowed)
	case !isForm(r):
		return nil, oauth.ErrInvalidRequest().WithDescription("The request body must be application/x-www-form-urlencoded.")
	case r.URL.RawQuery != "":
		return nil, oauth.ErrInvalidRequest().WithDescription("Parameters belong in the body, not the URL.")
	}
	return readBody(w, r)
}

// writeJSON writes a successful answer; none of them may be cached.
func writeJSON(w http.ResponseWriter, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func unavailable(err error) *oauth.Error {
	return oauth.ErrTemporarilyUnavailable().WithDescription("The service is temporarily unavailable; try again later.").WithCause(err)
}
