package oauth

import "encoding/json"

// MemberOpenRegistration is Gatehouse's own member, set by the server on
// a client registered without a token under open registration. Kept
// among the Extra members (in LDAP: oauthClientData), it outlives the
// registration request: the server's fetches and POSTs to the client's
// URLs reach public addresses only while it is true (provider/netguard).
const MemberOpenRegistration = "gatehouse_open_registration"

// OpenlyRegistered tells whether the client was registered openly, so
// that its URLs must only lead to public addresses. Anything but JSON
// true reads as false.
func (m Metadata) OpenlyRegistered() bool {
	raw, ok := m.Extra[MemberOpenRegistration]
	if !ok {
		return false
	}
	var v bool
	return json.Unmarshal(raw, &v) == nil && v
}

// MarkOpenlyRegistered sets MemberOpenRegistration to true.
func (m *Metadata) MarkOpenlyRegistered() {
	if m.Extra == nil {
		m.Extra = map[string]json.RawMessage{}
	}
	m.Extra[MemberOpenRegistration] = json.RawMessage("true")
}
