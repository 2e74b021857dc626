package authorize

import (
	"slices"
	"testing"
)

func TestRequestedACR(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
	}{
		{`{"id_token":{"acr":{"essential":true,"values":["urn:gatehouse:acr:mfa","urn:gatehouse:acr:phr"]}}}`, []string{"urn:gatehouse:acr:mfa", "urn:gatehouse:acr:phr"}},
		{`{"id_token":{"acr":{"value":"urn:gatehouse:acr:mfa"}}}`, []string{"urn:gatehouse:acr:mfa"}},
		{`{"id_token":{"acr":null}}`, nil},
		{`{"userinfo":{"acr":{"value":"urn:gatehouse:acr:mfa"}}}`, nil},
		{`{"id_token":{"acr":{"values":[1,"x"]}}}`, []string{"x"}},
	}
	for _, tc := range tests {
		c, err := parseClaimsRequest(tc.raw)
		if err != nil {
			t.Fatalf("%s: %v", tc.raw, err)
		}
		if got := c.RequestedACR(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: RequestedACR = %q, want %q", tc.raw, got, tc.want)
		}
	}
	var none *ClaimsRequest
	if none.RequestedACR() != nil {
		t.Error("nil claims request asked for acr")
	}
}
