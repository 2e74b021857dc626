package profile

import (
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Stage is where a rule applies; a rule may apply at several.
type Stage uint8

const (
	// AtRegistration: /clients and `gatehouse clients import`.
	AtRegistration Stage = 1 << iota
	// AtPush: POST /par, once the client is authenticated and the request
	// parsed.
	AtPush
	// AtAuthorize: /authorize with a request that was not pushed.
	AtAuthorize
	// AtToken: POST /token, once the client is authenticated.
	AtToken
)

// Facts are what a rule may look at. Each stage fills what it knows: the
// client's metadata always; AuthMethod is the method used (at
// registration, the one registered); the request's members at /par and
// /authorize; SenderConstrained at /token.
type Facts struct {
	Client     oauth.Metadata
	AuthMethod string

	Pushed              bool
	ResponseType        string
	ResponseMode        string
	CodeChallengeMethod string
	// RequestObjectAlg is the alg of the request object the request came
	// in, "" for a request of plain parameters.
	RequestObjectAlg string

	// SenderConstrained: the tokens of this request are bound to a client
	// certificate (RFC 8705) or a DPoP key (RFC 9449).
	SenderConstrained bool
}

// Rule is one row of the table.
type Rule struct {
	// Name is what every refusal starts with.
	Name string
	// At are the stages it applies at.
	At Stage
	// MessageSigningOnly: the rule belongs to fapi2-message-signing.
	MessageSigningOnly bool
	// ofClient: a rule on the client's registration rather than on one
	// request; broken at /par or /token, the client is not authorized.
	ofClient bool
	// check returns what is wrong, "" when nothing is.
	check func(f Facts, at Stage) string
}

// Rules is the table, in the order refusals are reported.
var Rules = []Rule{
	{Name: "fapi2: PAR required", At: AtAuthorize, check: func(f Facts, _ Stage) string {
		if f.Pushed {
			return ""
		}
		return "authorization requests must be pushed to the pushed authorization request endpoint (RFC 9126)"
	}},
	{Name: "fapi2: client authentication", At: AtRegistration | AtPush | AtToken, ofClient: true, check: func(f Facts, _ Stage) string {
		if slices.Contains(AuthMethods, f.AuthMethod) {
			return ""
		}
		return "token_endpoint_auth_method must be one of " + strings.Join(AuthMethods, ", ") + ", not " + quote(f.AuthMethod)
	}},
	{Name: "fapi2: signing algorithms", At: AtRegistration | AtPush | AtToken, ofClient: true, check: checkAlgs},
	{Name: "fapi2: response_type code only", At: AtRegistration | AtPush, check: func(f Facts, at Stage) string {
		if at == AtRegistration {
			if slices.Equal(f.Client.ResponseTypes, []string{"code"}) {
				return ""
			}
			return "response_types must be [\"code\"], not " + quote(strings.Join(f.Client.ResponseTypes, ","))
		}
		if f.ResponseType == "code" {
			return ""
		}
		return "response_type must be code, not " + quote(f.ResponseType)
	}},
	{Name: "fapi2: PKCE S256 required", At: AtPush, check: func(f Facts, _ Stage) string {
		if f.CodeChallengeMethod == "S256" {
			return ""
		}
		return "code_challenge with code_challenge_method S256 is required (RFC 7636)"
	}},
	{Name: "fapi2: sender-constrained tokens", At: AtToken, check: func(f Facts, _ Stage) string {
		if f.SenderConstrained {
			return ""
		}
		return "tokens must be bound to a client certificate (RFC 8705) or a DPoP key (RFC 9449): present one or send a DPoP proof"
	}},
	{Name: "fapi2-message-signing: signed request object", At: AtPush, MessageSigningOnly: true, check: func(f Facts, _ Stage) string {
		if f.RequestObjectAlg != "" {
			return ""
		}
		return "the pushed request must be a signed request object in the request parameter (RFC 9101)"
	}},
	{Name: "fapi2-message-signing: JARM", At: AtRegistration | AtPush, MessageSigningOnly: true, check: func(f Facts, at Stage) string {
		if at == AtRegistration {
			if f.Client.AuthorizationSignedResponseAlg != "" {
				return ""
			}
			return "authorization_signed_response_alg must be registered"
		}
		if f.ResponseMode == "jwt" || strings.HasSuffix(f.ResponseMode, ".jwt") {
			return ""
		}
		return "response_mode must be a JWT mode (query.jwt, fragment.jwt, form_post.jwt or jwt), not " + quote(f.ResponseMode)
	}},
}

// checkAlgs: every JWS algorithm the client registered must be one FAPI
// 2.0 allows, and a private_key_jwt client must register the one it signs
// its assertions with; a request object must be signed with one.
func checkAlgs(f Facts, at Stage) string {
	m := f.Client
	if m.TokenEndpointAuthMethod == "private_key_jwt" && m.TokenEndpointAuthSigningAlg == "" {
		return "token_endpoint_auth_signing_alg must be registered as one of " + strings.Join(Algs, ", ")
	}
	if m.IDTokenSignedResponseAlg == "" {
		return "id_token_signed_response_alg must be registered as one of " + strings.Join(Algs, ", ")
	}
	for _, a := range []struct{ member, alg string }{
		{"token_endpoint_auth_signing_alg", m.TokenEndpointAuthSigningAlg},
		{"id_token_signed_response_alg", m.IDTokenSignedResponseAlg},
		{"userinfo_signed_response_alg", m.UserinfoSignedResponseAlg},
		{"request_object_signing_alg", m.RequestObjectSigningAlg},
		{"authorization_signed_response_alg", m.AuthorizationSignedResponseAlg},
	} {
		if a.alg != "" && !slices.Contains(Algs, a.alg) {
			return a.member + " must be one of " + strings.Join(Algs, ", ") + ", not " + quote(a.alg)
		}
	}
	if at == AtPush && f.RequestObjectAlg != "" && !slices.Contains(Algs, f.RequestObjectAlg) {
		return "the request object must be signed with one of " + strings.Join(Algs, ", ") + ", not " + quote(f.RequestObjectAlg)
	}
	return ""
}

// Violation is a broken rule.
type Violation struct {
	Rule    string
	Problem string
	// OfClient: the client's registration breaks the rule.
	OfClient bool
}

// Error is the rule's name and the problem: what error_description says.
func (v *Violation) Error() string { return v.Rule + ": " + v.Problem }

// Check applies the rules of profile at a stage and returns the first
// that is broken, nil when none is (or when profile is None).
func Check(profile string, at Stage, f Facts) *Violation {
	if !Known(profile) {
		return nil
	}
	for _, r := range Rules {
		if r.At&at == 0 || (r.MessageSigningOnly && profile != MessageSigning) {
			continue
		}
		if problem := r.check(f, at); problem != "" {
			return &Violation{Rule: r.Name, Problem: problem, OfClient: r.ofClient}
		}
	}
	return nil
}

// OAuth is the error a request endpoint answers with: unauthorized_client
// when the client's registration breaks the rule (it may not use the
// endpoint as registered), else invalid_request.
func (v *Violation) OAuth() *oauth.Error {
	if v == nil {
		return nil
	}
	if v.OfClient {
		return oauth.ErrUnauthorizedClient().WithDescription(v.Error())
	}
	return oauth.ErrInvalidRequest().WithDescription(v.Error())
}

func quote(s string) string { return `"` + s + `"` }
