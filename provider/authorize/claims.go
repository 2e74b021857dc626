package authorize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// ClaimsRequest is the claims parameter of OpenID Connect Core §5.5: the
// individual claims a client asks for, for the UserInfo response and for
// the ID token. Raw keeps the parameter as sent, for whoever needs a
// member this type does not read.
type ClaimsRequest struct {
	Raw      json.RawMessage `json:"raw"`
	UserInfo []ClaimRequest  `json:"userinfo,omitempty"`
	IDToken  []ClaimRequest  `json:"id_token,omitempty"`
}

// ClaimRequest is one requested claim (OpenID Connect Core §5.5.1).
type ClaimRequest struct {
	Name      string            `json:"name"`
	Essential bool              `json:"essential,omitempty"`
	Value     json.RawMessage   `json:"value,omitempty"`
	Values    []json.RawMessage `json:"values,omitempty"`
}

// UserInfoNames lists the claims requested for the UserInfo response.
func (c *ClaimsRequest) UserInfoNames() []string {
	if c == nil {
		return nil
	}
	return claimNames(c.UserInfo)
}

// IDTokenNames lists the claims requested for the ID token.
func (c *ClaimsRequest) IDTokenNames() []string {
	if c == nil {
		return nil
	}
	return claimNames(c.IDToken)
}

func claimNames(list []ClaimRequest) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Name
	}
	return out
}

// parseClaimsRequest reads the claims parameter. Members other than
// userinfo and id_token are ignored, as §5.5 allows extensions.
func parseClaimsRequest(raw string) (*ClaimsRequest, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &top); err != nil || top == nil {
		return nil, errors.New("must be a JSON object")
	}
	out := &ClaimsRequest{Raw: json.RawMessage(raw)}
	var err error
	if out.UserInfo, err = claimMembers(top, "userinfo"); err != nil {
		return nil, err
	}
	if out.IDToken, err = claimMembers(top, "id_token"); err != nil {
		return nil, err
	}
	return out, nil
}

// claimMembers reads one member (userinfo or id_token): an object whose
// members are null (the claim by default) or an object with essential,
// value or values. The result is sorted by name.
func claimMembers(top map[string]json.RawMessage, member string) ([]ClaimRequest, error) {
	raw, ok := top[member]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(raw, &claims); err != nil || claims == nil {
		return nil, fmt.Errorf("%s must be a JSON object", member)
	}
	out := make([]ClaimRequest, 0, len(claims))
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		c, err := claimRequest(name, claims[name])
		if err != nil {
			return nil, fmt.Errorf("%s.%s %w", member, name, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func claimRequest(name string, raw json.RawMessage) (ClaimRequest, error) {
	c := ClaimRequest{Name: name}
	if isNull(raw) {
		return c, nil
	}
	var spec struct {
		Essential *json.RawMessage `json:"essential"`
		Value     json.RawMessage  `json:"value"`
		Values    *json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil || raw[0] != '{' {
		return c, errors.New("must be null or a JSON object")
	}
	if spec.Essential != nil && json.Unmarshal(*spec.Essential, &c.Essential) != nil {
		return c, errors.New("essential must be true or false")
	}
	if spec.Values != nil && (json.Unmarshal(*spec.Values, &c.Values) != nil || c.Values == nil) {
		return c, errors.New("values must be an array")
	}
	if !isNull(spec.Value) {
		c.Value = spec.Value
	}
	return c, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// RequestedACR is the acr values the claims parameter asks the ID token
// for (OpenID Connect Core §5.5.1.1: "acr": {"values": [...]} or
// {"value": ...}), in order; nil when it asks for none.
func (c *ClaimsRequest) RequestedACR() []string {
	if c == nil {
		return nil
	}
	for _, r := range c.IDToken {
		if r.Name != "acr" {
			continue
		}
		var out []string
		for _, raw := range append([]json.RawMessage{r.Value}, r.Values...) {
			var s string
			if len(raw) > 0 && json.Unmarshal(raw, &s) == nil && s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
