package tokens

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Secure turns claims into a JWT for client: signed with signAlg, then,
// when encAlg is set, encrypted with encAlg and encEnc (A128CBC-HS256 when
// empty) as a nested JWT, signature inside (OpenID Connect Core §16.14).
// typ goes into the JWS header ("JWT" for ID tokens and UserInfo
// responses). An empty signAlg with an encAlg encrypts the claims without
// signing them, as OpenID Connect Core §5.3.2 allows for UserInfo; with
// neither there is no JWT to make, and "none" is refused.
//
// UserInfo and JWT-secured authorization responses (JARM) use it with the
// client's algorithms for them; defaults are the caller's business.
func (m *Minter) Secure(ctx context.Context, client oauth.Client, claims any, signAlg, encAlg, encEnc, typ string) (string, error) {
	switch {
	case signAlg == "none":
		return "", errUnsigned
	case signAlg == "" && encAlg == "":
		return "", errors.New("tokens: neither a signing nor an encryption algorithm: send the claims as JSON")
	case encAlg == "" && encEnc != "":
		return "", fmt.Errorf("tokens: content encryption %q without a key management algorithm", encEnc)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("tokens: claims: %w", err)
	}
	if signAlg == "" {
		return m.encrypt(ctx, client, encAlg, encEnc, typ, false, payload)
	}
	jws, err := m.sign(client, signAlg, typ, payload)
	if err != nil || encAlg == "" {
		return jws, err
	}
	return m.encrypt(ctx, client, encAlg, encEnc, "", true, []byte(jws))
}
