package registration

import (
	"bytes"
	"encoding/json"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// Members that grant or relax what a client may do, which a client must
// not give itself: the audiences it may exchange tokens for (RFC 8693,
// docs/token-exchange.md) and the security profile it is held to
// (docs/fapi.md). Only the master token sets them; a client updating
// itself may send them back unchanged, as RFC 7592 §2.2 asks it to send
// all it read, and keeps them when it leaves them out.
const (
	memberExchangeAudiences = "token_exchange_audiences"
	memberProfile           = "gatehouse_profile"
)

// grantsAtCreate are the guarded members a client may not register for
// itself at all; a profile it asks for only makes it stricter.
var grantsAtCreate = []string{memberExchangeAudiences}

// guardedMembers are those a client may not change on itself.
var guardedMembers = []string{memberExchangeAudiences, memberProfile, oauth.MemberOpenRegistration}

// checkCreateGuarded refuses the members a new client cannot give itself
// unless the master token registers it.
func checkCreateGuarded(m oauth.Metadata, who Access) *oauth.Error {
	if who == Master {
		return nil
	}
	for _, name := range grantsAtCreate {
		if _, ok := m.Extra[name]; ok {
			return invalidMetadata(name, "only the master token may set it")
		}
	}
	return nil
}

// keepGuarded, for a client replacing its own registration, refuses a
// changed guarded member and keeps the stored value of each.
func keepGuarded(next *oauth.Metadata, old oauth.Metadata) *oauth.Error {
	for _, name := range guardedMembers {
		sent, ok := next.Extra[name]
		if ok && !sameJSON(sent, old.Extra[name]) {
			return invalidMetadata(name, "only the master token may change it")
		}
		next.Extra = withMember(next.Extra, name, old.Extra)
	}
	return nil
}

// sameJSON compares two JSON values once compacted; absent is unlike
// any value.
func sameJSON(a, b json.RawMessage) bool {
	if b == nil {
		return false
	}
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return false
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}
