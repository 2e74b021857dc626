package oauth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// MetadataError reports a metadata member that cannot be read or written.
// Its text names the member and says what is wrong in words fit for an
// invalid_client_metadata error_description (RFC 7591 §3.2.2).
type MetadataError struct {
	Member  string
	Problem string
}

func (e *MetadataError) Error() string {
	return fmt.Sprintf("client metadata %q: %s", e.Member, e.Problem)
}

func wrongType(member, want string) error {
	return &MetadataError{Member: member, Problem: "must be " + want}
}

// member reads and writes one JSON member of Metadata. Language-tagged
// members are handled apart (see langMembers).
type member struct {
	name string
	// decode reads a value that is not JSON null.
	decode func(m *Metadata, raw json.RawMessage) error
	// encode returns the value to write, or false when the member is absent.
	encode func(m *Metadata) (any, bool)
}

// members lists the known members in the order MarshalJSON writes them.
var members = []member{
	listMember("redirect_uris", func(m *Metadata) *[]string { return &m.RedirectURIs }),
	stringMember("token_endpoint_auth_method", func(m *Metadata) *string { return &m.TokenEndpointAuthMethod }),
	stringMember("token_endpoint_auth_signing_alg", func(m *Metadata) *string { return &m.TokenEndpointAuthSigningAlg }),
	listMember("grant_types", func(m *Metadata) *[]string { return &m.GrantTypes }),
	listMember("response_types", func(m *Metadata) *[]string { return &m.ResponseTypes }),
	scopeMember(),
	listMember("contacts", func(m *Metadata) *[]string { return &m.Contacts }),
	stringMember("jwks_uri", func(m *Metadata) *string { return &m.JWKSURI }),
	objectMember("jwks", func(m *Metadata) *json.RawMessage { return &m.JWKS }),
	stringMember("software_id", func(m *Metadata) *string { return &m.SoftwareID }),
	stringMember("software_version", func(m *Metadata) *string { return &m.SoftwareVersion }),

	stringMember("application_type", func(m *Metadata) *string { return &m.ApplicationType }),
	stringMember("sector_identifier_uri", func(m *Metadata) *string { return &m.SectorIdentifierURI }),
	stringMember("subject_type", func(m *Metadata) *string { return &m.SubjectType }),
	stringMember("id_token_signed_response_alg", func(m *Metadata) *string { return &m.IDTokenSignedResponseAlg }),
	stringMember("id_token_encrypted_response_alg", func(m *Metadata) *string { return &m.IDTokenEncryptedResponseAlg }),
	stringMember("id_token_encrypted_response_enc", func(m *Metadata) *string { return &m.IDTokenEncryptedResponseEnc }),
	stringMember("userinfo_signed_response_alg", func(m *Metadata) *string { return &m.UserinfoSignedResponseAlg }),
	stringMember("userinfo_encrypted_response_alg", func(m *Metadata) *string { return &m.UserinfoEncryptedResponseAlg }),
	stringMember("userinfo_encrypted_response_enc", func(m *Metadata) *string { return &m.UserinfoEncryptedResponseEnc }),
	stringMember("request_object_signing_alg", func(m *Metadata) *string { return &m.RequestObjectSigningAlg }),
	stringMember("request_object_encryption_alg", func(m *Metadata) *string { return &m.RequestObjectEncryptionAlg }),
	stringMember("request_object_encryption_enc", func(m *Metadata) *string { return &m.RequestObjectEncryptionEnc }),
	intMember("default_max_age", func(m *Metadata) **int { return &m.DefaultMaxAge }),
	boolMember("require_auth_time", func(m *Metadata) *bool { return &m.RequireAuthTime }),
	listMember("default_acr_values", func(m *Metadata) *[]string { return &m.DefaultACRValues }),
	stringMember("initiate_login_uri", func(m *Metadata) *string { return &m.InitiateLoginURI }),
	listMember("request_uris", func(m *Metadata) *[]string { return &m.RequestURIs }),

	listMember("post_logout_redirect_uris", func(m *Metadata) *[]string { return &m.PostLogoutRedirectURIs }),
	stringMember("frontchannel_logout_uri", func(m *Metadata) *string { return &m.FrontchannelLogoutURI }),
	boolMember("frontchannel_logout_session_required", func(m *Metadata) *bool { return &m.FrontchannelLogoutSessionRequired }),
	stringMember("backchannel_logout_uri", func(m *Metadata) *string { return &m.BackchannelLogoutURI }),
	boolMember("backchannel_logout_session_required", func(m *Metadata) *bool { return &m.BackchannelLogoutSessionRequired }),

	stringMember("tls_client_auth_subject_dn", func(m *Metadata) *string { return &m.TLSClientAuthSubjectDN }),
	stringMember("tls_client_auth_san_dns", func(m *Metadata) *string { return &m.TLSClientAuthSANDNS }),
	stringMember("tls_client_auth_san_uri", func(m *Metadata) *string { return &m.TLSClientAuthSANURI }),
	stringMember("tls_client_auth_san_ip", func(m *Metadata) *string { return &m.TLSClientAuthSANIP }),
	stringMember("tls_client_auth_san_email", func(m *Metadata) *string { return &m.TLSClientAuthSANEmail }),
	boolMember("tls_client_certificate_bound_access_tokens", func(m *Metadata) *bool { return &m.TLSClientCertificateBoundAccessTokens }),

	stringMember("authorization_signed_response_alg", func(m *Metadata) *string { return &m.AuthorizationSignedResponseAlg }),
	stringMember("authorization_encrypted_response_alg", func(m *Metadata) *string { return &m.AuthorizationEncryptedResponseAlg }),
	stringMember("authorization_encrypted_response_enc", func(m *Metadata) *string { return &m.AuthorizationEncryptedResponseEnc }),

	boolMember("require_pushed_authorization_requests", func(m *Metadata) *bool { return &m.RequirePushedAuthorizationRequests }),
}

// langMember is a member that may carry language tags (RFC 7591 §2.2).
type langMember struct {
	name  string
	field func(m *Metadata) *LangString
}

// langMembers are written right after the plain members they follow in
// RFC 7591 §2, before the rest.
var langMembers = []langMember{
	{"client_name", func(m *Metadata) *LangString { return &m.ClientName }},
	{"client_uri", func(m *Metadata) *LangString { return &m.ClientURI }},
	{"logo_uri", func(m *Metadata) *LangString { return &m.LogoURI }},
	{"tos_uri", func(m *Metadata) *LangString { return &m.TOSURI }},
	{"policy_uri", func(m *Metadata) *LangString { return &m.PolicyURI }},
}

// langMembersAfter is the index in members after which the language-tagged
// members are written: after response_types, as RFC 7591 §2 lists them.
const langMembersAfter = 4

func stringMember(name string, field func(*Metadata) *string) member {
	return member{
		name: name,
		decode: func(m *Metadata, raw json.RawMessage) error {
			if err := json.Unmarshal(raw, field(m)); err != nil {
				return wrongType(name, "a string")
			}
			return nil
		},
		encode: func(m *Metadata) (any, bool) { v := *field(m); return v, v != "" },
	}
}

func listMember(name string, field func(*Metadata) *[]string) member {
	return member{
		name: name,
		decode: func(m *Metadata, raw json.RawMessage) error {
			var v []string
			if err := json.Unmarshal(raw, &v); err != nil {
				return wrongType(name, "an array of strings")
			}
			*field(m) = v // "[]" gives a non-nil empty slice
			return nil
		},
		encode: func(m *Metadata) (any, bool) { v := *field(m); return v, v != nil },
	}
}

func boolMember(name string, field func(*Metadata) *bool) member {
	return member{
		name: name,
		decode: func(m *Metadata, raw json.RawMessage) error {
			if err := json.Unmarshal(raw, field(m)); err != nil {
				return wrongType(name, "true or false")
			}
			return nil
		},
		encode: func(m *Metadata) (any, bool) { v := *field(m); return v, v },
	}
}

func intMember(name string, field func(*Metadata) **int) member {
	return member{
		name: name,
		decode: func(m *Metadata, raw json.RawMessage) error {
			var v int
			if err := json.Unmarshal(raw, &v); err != nil {
				return wrongType(name, "an integer")
			}
			*field(m) = &v
			return nil
		},
		encode: func(m *Metadata) (any, bool) {
			v := *field(m)
			if v == nil {
				return nil, false
			}
			return *v, true
		},
	}
}

// scopeMember reads the space-separated scope string (RFC 7591 §2, with
// the syntax of RFC 6749 §3.3) into a list; "" is a present, empty list.
func scopeMember() member {
	const name = "scope"
	return member{
		name: name,
		decode: func(m *Metadata, raw json.RawMessage) error {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return wrongType(name, "a string")
			}
			m.Scope = splitScope(s)
			return nil
		},
		encode: func(m *Metadata) (any, bool) {
			return strings.Join(m.Scope, " "), m.Scope != nil
		},
	}
}

// splitScope splits at spaces, ignoring empty tokens, and never returns nil.
func splitScope(s string) []string {
	out := []string{}
	for tok := range strings.SplitSeq(s, " ") {
		if tok != "" {
			out = append(out, tok)
		}
	}
	return out
}

// objectMember keeps a JSON object as given.
func objectMember(name string, field func(*Metadata) *json.RawMessage) member {
	return member{
		name: name,
		decode: func(m *Metadata, raw json.RawMessage) error {
			if !isJSONObject(raw) {
				return wrongType(name, "a JSON object")
			}
			*field(m) = bytes.Clone(raw)
			return nil
		},
		encode: func(m *Metadata) (any, bool) {
			v := *field(m)
			return v, len(v) > 0
		},
	}
}

// isJSONObject reports whether raw is one well-formed JSON object.
func isJSONObject(raw []byte) bool {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{' && json.Valid(raw)
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

var memberIndex = func() map[string]member {
	idx := make(map[string]member, len(members))
	for _, mem := range members {
		idx[mem.name] = mem
	}
	return idx
}()

func findLangMember(name string) (langMember, bool) {
	for _, lm := range langMembers {
		if lm.name == name {
			return lm, true
		}
	}
	return langMember{}, false
}

// isKnownMember reports whether a member name belongs to a typed field,
// including the language-tagged forms of the taggable members.
func isKnownMember(name string) bool {
	base, _, _ := strings.Cut(name, "#")
	if _, ok := findLangMember(base); ok {
		return true
	}
	_, ok := memberIndex[name]
	return ok
}

// UnmarshalJSON reads client metadata as registered (RFC 7591 §2): known
// members into their fields, with a MetadataError naming a member of the
// wrong type, and the rest into Extra.
func (m *Metadata) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return fmt.Errorf("client metadata: not a JSON object: %w", err)
	}
	var out Metadata
	// Sorted, so that of two problems the same one is always reported.
	for _, name := range slices.Sorted(maps.Keys(obj)) {
		if err := out.decodeMember(name, obj[name]); err != nil {
			return err
		}
	}
	*m = out
	return nil
}

func (m *Metadata) decodeMember(name string, raw json.RawMessage) error {
	base, tag, tagged := strings.Cut(name, "#")
	if lm, ok := findLangMember(base); ok {
		if isNull(raw) {
			return nil
		}
		return m.decodeLang(lm, name, tag, tagged, raw)
	}
	if mem, ok := memberIndex[name]; ok {
		if isNull(raw) {
			return nil
		}
		return mem.decode(m, raw)
	}
	if m.Extra == nil {
		m.Extra = make(map[string]json.RawMessage)
	}
	m.Extra[name] = raw
	return nil
}

func (m *Metadata) decodeLang(lm langMember, name, tag string, tagged bool, raw json.RawMessage) error {
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return wrongType(name, "a string")
	}
	if tagged {
		canon, ok := CanonicalLangTag(tag)
		if !ok {
			return &MetadataError{Member: name, Problem: "has an invalid language tag"}
		}
		tag = canon
	}
	if v == "" {
		return nil
	}
	field := lm.field(m)
	if _, dup := (*field)[tag]; dup {
		return &MetadataError{Member: name, Problem: "repeats a language tag given in another case"}
	}
	if *field == nil {
		*field = LangString{}
	}
	(*field)[tag] = v
	return nil
}

// MarshalJSON writes the metadata as a JSON object: the known members in
// the order of RFC 7591 §2 and the later specifications, then Extra in
// name order, byte for byte as given. It fails when an Extra member
// carries the name of a known one or is not valid JSON.
func (m Metadata) MarshalJSON() ([]byte, error) {
	var w objectWriter
	for i, mem := range members {
		if err := m.encodeMember(&w, mem); err != nil {
			return nil, err
		}
		if i == langMembersAfter {
			if err := m.encodeLang(&w); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.Extra)) {
		raw := m.Extra[name]
		if isKnownMember(name) {
			return nil, &MetadataError{Member: name, Problem: "is a known member and must not be in Extra"}
		}
		if !json.Valid(raw) {
			return nil, &MetadataError{Member: name, Problem: "holds invalid JSON"}
		}
		if err := w.raw(name, raw); err != nil {
			return nil, err
		}
	}
	return w.close(), nil
}

func (m *Metadata) encodeMember(w *objectWriter, mem member) error {
	v, ok := mem.encode(m)
	if !ok {
		return nil
	}
	// A JSON value kept as given is written as given, not re-encoded.
	if raw, isRaw := v.(json.RawMessage); isRaw {
		if !isJSONObject(raw) {
			return wrongType(mem.name, "a JSON object")
		}
		return w.raw(mem.name, raw)
	}
	return w.member(mem.name, v)
}

// encodeLang writes the language-tagged members, tags in canonical case.
func (m *Metadata) encodeLang(w *objectWriter) error {
	for _, lm := range langMembers {
		values := *lm.field(m)
		written := make(map[string]bool, len(values))
		for _, tag := range slices.Sorted(maps.Keys(values)) {
			v := values[tag]
			if v == "" {
				continue
			}
			name := lm.name
			if tag != "" {
				canon, ok := CanonicalLangTag(tag)
				if !ok {
					return &MetadataError{Member: name + "#" + tag, Problem: "has an invalid language tag"}
				}
				name += "#" + canon
			}
			if written[name] {
				return &MetadataError{Member: name, Problem: "repeats a language tag given in another case"}
			}
			written[name] = true
			if err := w.member(name, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// objectWriter builds a JSON object member by member. Values are written
// without HTML escaping: URIs keep their "&".
type objectWriter struct {
	buf bytes.Buffer
}

func (w *objectWriter) member(name string, v any) error {
	raw, err := encodeNoHTML(v)
	if err != nil {
		return &MetadataError{Member: name, Problem: "cannot be written: " + err.Error()}
	}
	return w.raw(name, raw)
}

func (w *objectWriter) raw(name string, raw []byte) error {
	if w.buf.Len() == 0 {
		w.buf.WriteByte('{')
	} else {
		w.buf.WriteByte(',')
	}
	key, err := encodeNoHTML(name)
	if err != nil {
		return err
	}
	w.buf.Write(key)
	w.buf.WriteByte(':')
	w.buf.Write(raw)
	return nil
}

func (w *objectWriter) close() []byte {
	if w.buf.Len() == 0 {
		return []byte("{}")
	}
	w.buf.WriteByte('}')
	return w.buf.Bytes()
}

func encodeNoHTML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
