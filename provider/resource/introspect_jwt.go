package resource

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// introspectionJWTType is the media type of a JWT introspection response
// and, as typ, of its JWS header (RFC 9701 §4 and §5).
const introspectionJWTType = "token-introspection+jwt"

// defaultIntrospectionAlg signs the response for a client that asks for a
// JWT without having registered introspection_signed_response_alg
// (RFC 9701 §6: "The default, if omitted, is RS256").
const defaultIntrospectionAlg = "RS256"

// The client metadata of RFC 9701 §6. They are kept among the client's
// extra members (oauth.Metadata.Extra, oauthClientData in the directory),
// as every member without an attribute of the 1.15 schema.
const (
	metaIntrospectionSignAlg = "introspection_signed_response_alg"
	metaIntrospectionEncAlg  = "introspection_encrypted_response_alg"
	metaIntrospectionEncEnc  = "introspection_encrypted_response_enc"
)

// wantsJWT: the request's Accept header names the JWT response type
// (RFC 9701 §4); anything else, including no Accept header, gets JSON.
func wantsJWT(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && mt == "application/"+introspectionJWTType && params["q"] != "0" {
				return true
			}
		}
	}
	return false
}

// introspectionAlgs reads the client's RFC 9701 metadata: the signing
// algorithm (RS256 when none is registered) and, when registered, the
// encryption algorithm and method (A128CBC-HS256 by default, §6).
func introspectionAlgs(m oauth.Metadata) (sign, encAlg, encEnc string) {
	str := func(name string) string {
		var s string
		if raw, ok := m.Extra[name]; ok {
			_ = json.Unmarshal(raw, &s) // a value of another type counts as absent
		}
		return s
	}
	sign, encAlg, encEnc = str(metaIntrospectionSignAlg), str(metaIntrospectionEncAlg), str(metaIntrospectionEncEnc)
	if sign == "" {
		sign = defaultIntrospectionAlg
	}
	if encAlg != "" && encEnc == "" {
		encEnc = "A128CBC-HS256"
	}
	if encAlg == "" {
		encEnc = ""
	}
	return sign, encAlg, encEnc
}

// writeIntrospection answers with JSON (RFC 7662 §2.2), or, when the
// client asks for it, with the JWT of RFC 9701 §5: iss, aud (the client)
// and iat, and the JSON answer as the token_introspection claim; signed
// with the client's algorithm and encrypted when it registered one.
func (h *Handler) writeIntrospection(w http.ResponseWriter, r *http.Request, c oauth.Client, out introspection) {
	if !wantsJWT(r) {
		writeJSON(w, out)
		return
	}
	sign, encAlg, encEnc := introspectionAlgs(c.Metadata)
	claims := map[string]any{
		"iss": h.opts.Issuer, "aud": c.ID, "iat": h.opts.Now().Unix(),
		"token_introspection": out,
	}
	jwt, err := h.opts.Minter.Secure(r.Context(), c, claims, sign, encAlg, encEnc, introspectionJWTType)
	if err != nil {
		e := oauth.ErrServerError().WithDescription("The introspection response could not be secured.").WithCause(err)
		h.log.Error("introspection: response not secured", "client_id", c.ID, "error", e)
		e.WriteJSON(w)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/"+introspectionJWTType)
	hd.Set("Cache-Control", "no-store")
	hd.Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(jwt))
}
