package oauth

// Input limits of the device authorization (RFC 8628), token exchange
// (RFC 8693) and JWT bearer (RFC 7523) grants; see limits.go.
const (
	// MaxDeviceCode bounds device_code; issued ones have 43 characters.
	MaxDeviceCode = 256
	// MaxUserCode bounds user_code as typed: 8 letters, with dashes and
	// spaces as people type them.
	MaxUserCode = 64
	// MaxExchangedToken bounds subject_token and actor_token: our own
	// access and ID tokens.
	MaxExchangedToken = MaxAccessToken
	// MaxTokenType bounds subject_token_type, actor_token_type and
	// requested_token_type, URNs of RFC 8693 §3.
	MaxTokenType = 128
	// MaxAudience bounds the audience parameter of RFC 8693.
	MaxAudience = 2048
	// MaxAssertion bounds the assertion of the JWT bearer grant.
	MaxAssertion = MaxClientAssertion
)
