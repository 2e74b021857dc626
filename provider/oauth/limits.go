package oauth

// Input limits, in bytes: the one table of how long a value a client or a
// person may send. Each is checked where the value arrives, before any
// directory or session store sees it, so that an absurd value is refused
// as a bad request rather than failing deep down (OpenLDAP, for one,
// refuses a DN over 8 KiB as invalidDNSyntax) or being written to the log.
// docs/limits.md lists them with the answer each endpoint gives;
// TestLimitsDocumented keeps the two in step.
//
// The bounds leave room for every value this server issues or accepts at
// registration: a limit below what it hands out would lock its own
// clients out.
const (
	// MaxClientID bounds a client_id presented anywhere (Keycloak keeps
	// client IDs in a VARCHAR(255) too). A longer ID names no client:
	// none can be registered (see MaxRegisteredClientID), and OpenLDAP
	// back-mdb cannot store an RDN that long.
	MaxClientID = 255
	// MaxRegisteredClientID bounds a new client's ID: preferred_client_id
	// and imported IDs. Generated IDs have 26 characters. OpenLDAP
	// back-mdb keeps an entry's RDN within one LMDB key (511 bytes, the
	// RDN twice), which allows an oauthClientID of at most 231 plain
	// characters (77 when every character needs DN escaping); 200 leaves
	// a margin for ordinary IDs.
	MaxRegisteredClientID = 200
	// MaxClientSecret bounds client_secret; the secret codec hashes or
	// encrypts nothing longer, so no registered secret is longer.
	MaxClientSecret = 4096
	// MaxClientAssertion bounds client_assertion (RFC 7523). A signed JWT
	// with the RFC 7523 claims and an RSA-4096 signature takes about 1 KiB.
	MaxClientAssertion = 16 << 10

	// Authorization request parameters (OpenID Connect Core §3.1.2.1).
	MaxState         = 2048
	MaxNonce         = 512
	MaxScope         = 2048
	MaxScopeValues   = 64 // number of distinct scope values in one request
	MaxRedirectURI   = 2048
	MaxResponseType  = 64 // "code id_token token" has 19
	MaxResponseMode  = 32 // "form_post.jwt" has 13
	MaxPrompt        = 64
	MaxDisplay       = 32
	MaxUILocales     = 256
	MaxClaimsLocales = 256
	MaxACRValues     = 1024
	MaxMaxAge        = 16 // digits; the value itself is at most 2^31-1
	// MaxLoginHint matches MaxUsername, so that any name a person can
	// sign in with can be passed as the hint.
	MaxLoginHint = MaxUsername
	// MaxIDTokenHint leaves room for ID tokens with long groups claims.
	MaxIDTokenHint = 16 << 10
	// MaxClaims bounds the claims parameter (Core §5.5), JSON.
	MaxClaims = 8 << 10
	// MaxCodeChallenge and the verifier's bounds are RFC 7636 §4.1, §4.2.
	MaxCodeChallenge = 128
	MinCodeVerifier  = 43
	MaxCodeVerifier  = 128
	// MaxRequestObject bounds a request object (RFC 9101), by value or as
	// fetched from its request_uri.
	MaxRequestObject = 32 << 10
	MaxRequestURI    = 2048
	// MaxAuthorizationRequest bounds a whole authorization request: the
	// query of a GET or the body of a POST.
	MaxAuthorizationRequest = 64 << 10
	// MaxStoredAuthorizationRequest bounds a validated authorization
	// request as JSON: the pending flow keeps it, and the session stores
	// refuse values over 64 KiB, which would turn a merely large request
	// into temporarily_unavailable. Parameters each within their limits
	// can add up past this when JSON escaping inflates them.
	MaxStoredAuthorizationRequest = 48 << 10
	// MaxPushedRequest bounds the body of a pushed authorization request
	// (RFC 9126): an authorization request and the client's credentials.
	MaxPushedRequest = MaxAuthorizationRequest + MaxClientAssertion

	// Sign-in form.
	MaxUsername = 1024
	// MaxPassword is our own bound: bcrypt reads 72 bytes, but LDAP
	// servers take whatever they are sent.
	MaxPassword = 1024

	// Token endpoint, introspection, revocation and UserInfo.
	MaxGrantType     = 128
	MaxCode          = 256  // issued codes have 43 characters
	MaxRefreshToken  = 4096 // issued ones have about 400
	MaxAccessToken   = 16 << 10
	MaxTokenTypeHint = 64
	MaxResource      = 2048 // RFC 8707 resource, a URI

	// DPoP (RFC 9449). MaxDPoPProof bounds the DPoP header: a proof with
	// an RSA-4096 key in its header takes about 1.5 KiB. MaxDPoPJTI
	// bounds a proof's jti, which the replay cache keeps; MaxDPoPJKT the
	// dpop_jkt authorization request parameter (a SHA-256 thumbprint has
	// 43 characters).
	MaxDPoPProof = 8 << 10
	MaxDPoPJTI   = 64
	MaxDPoPJKT   = 64
	// MaxTokenRequest bounds the form body of /token, /token/introspect,
	// /token/revoke and a POSTed /userinfo.
	MaxTokenRequest = 64 << 10

	// MaxRegistrationBody bounds a registration request (RFC 7591/7592).
	MaxRegistrationBody = 64 << 10
)

// Limit pairs a parameter with its bound.
type Limit struct {
	Param string
	Max   int
}

// Overlong returns the first of limits whose parameter, as get reads it,
// is longer than its bound.
func Overlong(get func(name string) string, limits []Limit) (Limit, bool) {
	for _, l := range limits {
		if len(get(l.Param)) > l.Max {
			return l, true
		}
	}
	return Limit{}, false
}
