package resource

import (
	"net/url"
	"strconv"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// formLimits bounds the parameters of introspection and revocation
// requests (see oauth's limits table); the client's credentials are
// package clientauth's to bound. token may be an access or a refresh
// token, so it gets the larger bound.
var formLimits = []oauth.Limit{
	{Param: "token", Max: max(oauth.MaxAccessToken, oauth.MaxRefreshToken)},
	{Param: "token_type_hint", Max: oauth.MaxTokenTypeHint},
}

// checkLengths refuses a form with a parameter beyond its limit, before
// the client is authenticated or the token looked up.
func checkLengths(form url.Values) *oauth.Error {
	if l, over := oauth.Overlong(form.Get, formLimits); over {
		return oauth.ErrInvalidRequest().WithDescription("The " + l.Param + " parameter is longer than " + strconv.Itoa(l.Max) + " bytes.")
	}
	return nil
}
