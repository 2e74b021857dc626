package authorize

import (
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// maxFormBytes bounds the query of a GET and the body of a POST: far more
// than any honest request needs, a request object by value included.
const maxFormBytes = oauth.MaxAuthorizationRequest

// params are the parameters of a request, from the HTTP request or from
// a request object.
type params struct {
	values map[string]string
	// repeated names the parameters given more than once, sorted. They
	// are absent from values.
	repeated []string
}

func (p params) get(name string) string { return p.values[name] }

func (p params) has(name string) bool {
	_, ok := p.values[name]
	return ok || slices.Contains(p.repeated, name)
}

// readParams reads the parameters of a GET (the query) or POST (the
// form body, OpenID Connect Core §3.1.2.1) request. A POST's query is not
// read: the parameters are the body.
func readParams(r *http.Request) (params, *oauth.Error) {
	var raw string
	switch r.Method {
	case http.MethodGet:
		raw = r.URL.RawQuery
		if len(raw) > maxFormBytes {
			return params{}, oauth.ErrInvalidRequest().WithStatus(http.StatusRequestURITooLong).
				WithDescription("the request is too large")
		}
	case http.MethodPost:
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/x-www-form-urlencoded" {
			return params{}, oauth.ErrInvalidRequest().WithStatus(http.StatusUnsupportedMediaType).
				WithDescription("a POSTed authorization request must be application/x-www-form-urlencoded")
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
		if err != nil {
			return params{}, oauth.ErrInvalidRequest().WithCause(err).WithDescription("the request body could not be read")
		}
		if len(body) > maxFormBytes {
			return params{}, oauth.ErrInvalidRequest().WithStatus(http.StatusRequestEntityTooLarge).
				WithDescription("the request body is too large")
		}
		raw = string(body)
	default:
		return params{}, oauth.ErrInvalidRequest().WithStatus(http.StatusMethodNotAllowed).
			WithDescription("the authorization endpoint accepts GET and POST only")
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return params{}, oauth.ErrInvalidRequest().WithDescription("the parameters are not properly URL-encoded")
	}
	return fromValues(vals), nil
}

// fromValues applies RFC 6749 §3.1: a parameter sent without a value is
// treated as omitted, and none may be included more than once.
func fromValues(vals url.Values) params {
	p := params{values: map[string]string{}}
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		var given []string
		for _, v := range vals[name] {
			if v != "" {
				given = append(given, v)
			}
		}
		switch len(given) {
		case 0:
		case 1:
			p.values[name] = given[0]
		default:
			p.repeated = append(p.repeated, name)
		}
	}
	return p
}
