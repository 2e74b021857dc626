package registration

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Request is a registration or update request: the client metadata and the
// members that are not metadata.
type Request struct {
	// Metadata holds every member that is client metadata, unknown ones in
	// Extra, including the master-only "data".
	Metadata oauth.Metadata
	// ClientID is client_id from the body: on update it must name the entry
	// (RFC 7592 §2.2); on import it names the entry to create or update.
	ClientID string
	// ClientSecret is client_secret from the body; nil when absent.
	ClientSecret *string
	// PreferredClientID and PreferredClientSecret are Connect2id's
	// master-only members that preset the ID and the secret. The secret
	// may be plain or a BCrypt or Argon2 hash.
	PreferredClientID     string
	PreferredClientSecret string
}

// Members that are never client metadata.
const (
	memberClientID              = "client_id"
	memberClientSecret          = "client_secret"
	memberPreferredClientID     = "preferred_client_id"
	memberPreferredClientSecret = "preferred_client_secret"
	memberData                  = "data"
)

// serverMembers are set by the server alone. RFC 7592 §2.2 forbids them in
// an update; they are ignored rather than refused, so that a client may
// send back what it read.
var serverMembers = []string{
	"client_id_issued_at", "client_secret_expires_at",
	"registration_access_token", "registration_client_uri",
}

// ParseRequest reads one registration request, a JSON object. A body that
// is not one gives invalid_request; a member of the wrong type gives
// invalid_client_metadata naming it.
func ParseRequest(body []byte) (*Request, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(body) {
		return nil, oauth.ErrInvalidRequest().WithDescription("the request body must be a JSON object")
	}
	req := &Request{}
	if err := json.Unmarshal(body, &req.Metadata); err != nil {
		var me *oauth.MetadataError
		if errors.As(err, &me) {
			return nil, invalidMetadata(me.Member, "%s", me.Problem)
		}
		return nil, oauth.ErrInvalidRequest().WithDescription("the request body must be a JSON object")
	}
	extra := req.Metadata.Extra
	var secret string
	var hasSecret bool
	for _, f := range []struct {
		name    string
		dst     *string
		present *bool
	}{
		{memberClientID, &req.ClientID, nil},
		{memberClientSecret, &secret, &hasSecret},
		{memberPreferredClientID, &req.PreferredClientID, nil},
		{memberPreferredClientSecret, &req.PreferredClientSecret, nil},
	} {
		raw, ok := extra[f.name]
		if !ok {
			continue
		}
		delete(extra, f.name)
		if isNull(raw) {
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			return nil, invalidMetadata(f.name, "must be a string")
		}
		if f.present != nil {
			*f.present = true
		}
	}
	if hasSecret {
		req.ClientSecret = &secret
	}
	for _, name := range serverMembers {
		delete(extra, name)
	}
	if raw, ok := extra[memberData]; ok {
		switch {
		case isNull(raw):
			delete(extra, memberData)
		case !isObject(raw):
			return nil, invalidMetadata(memberData, "must be a JSON object")
		}
	}
	if len(extra) == 0 {
		req.Metadata.Extra = nil
	}
	return req, nil
}

// masterOnly lists the members in req that only the master token may send.
func (r *Request) masterOnly() []string {
	var names []string
	if r.PreferredClientID != "" {
		names = append(names, memberPreferredClientID)
	}
	if r.PreferredClientSecret != "" {
		names = append(names, memberPreferredClientSecret)
	}
	if _, ok := r.Metadata.Extra[memberData]; ok {
		names = append(names, memberData)
	}
	return names
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func isObject(raw json.RawMessage) bool {
	trimmed := bytes.TrimSpace(raw)
	return len(trimmed) > 0 && trimmed[0] == '{'
}
