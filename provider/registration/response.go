package registration

import (
	"bytes"
	"encoding/json"
	"maps"
	"time"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// ClientInfo is a client information response (RFC 7591 §3.2.1, RFC 7592
// §3): what the server issued, then the metadata as registered.
type ClientInfo struct {
	Client oauth.Client
	// Secret is the plain secret when this request issued or set one.
	Secret string
	// RegistrationToken is the registration access token when this request
	// issued one: only at registration, as only its hash is kept.
	RegistrationToken string
	// RegistrationURI is the client configuration endpoint.
	RegistrationURI string
}

// issuedMembers are written by the server in front of the metadata; a
// stored Extra member of the same name is left out.
var issuedMembers = []string{
	memberClientID, "client_id_issued_at", memberClientSecret, "client_secret_expires_at",
	"registration_access_token", "registration_client_uri",
}

// MarshalJSON writes the response object. client_secret_expires_at is
// there whenever the client has a secret (RFC 7591 §3.2.1 wants it with
// client_secret); 0 means it never expires.
func (ci ClientInfo) MarshalJSON() ([]byte, error) {
	c := ci.Client
	var buf bytes.Buffer
	buf.WriteByte('{')
	add := func(name string, v any) error {
		key, err := encodeJSON(name)
		if err != nil {
			return err
		}
		val, err := encodeJSON(v)
		if err != nil {
			return err
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(val)
		return nil
	}
	members := []struct {
		name string
		v    any
		ok   bool
	}{
		{memberClientID, c.ID, true},
		{"client_id_issued_at", unixOrZero(c.IDIssuedAt), !c.IDIssuedAt.IsZero()},
		{memberClientSecret, ci.Secret, ci.Secret != ""},
		{"client_secret_expires_at", unixOrZero(c.SecretExpiresAt), ci.Secret != "" || c.Secret != ""},
		{"registration_access_token", ci.RegistrationToken, ci.RegistrationToken != ""},
		{"registration_client_uri", ci.RegistrationURI, ci.RegistrationURI != ""},
	}
	for _, m := range members {
		if !m.ok {
			continue
		}
		if err := add(m.name, m.v); err != nil {
			return nil, err
		}
	}
	md := c.Metadata
	if md.Extra != nil {
		md.Extra = maps.Clone(md.Extra)
		for _, name := range issuedMembers {
			delete(md.Extra, name)
		}
	}
	meta, err := md.MarshalJSON()
	if err != nil {
		return nil, err
	}
	if inner := bytes.TrimSpace(meta[1 : len(meta)-1]); len(inner) > 0 {
		buf.WriteByte(',')
		buf.Write(inner)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// encodeJSON encodes without HTML escaping: URIs keep their "&".
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
