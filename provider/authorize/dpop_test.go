package authorize

import (
	"strings"
	"testing"
)

func TestDPoPJKT(t *testing.T) {
	good := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" // RFC 7638 §3.1's example
	tests := []struct {
		name, value string
		ok          bool
	}{
		{"absent", "", true},
		{"a SHA-256 thumbprint", good, true},
		{"padded", good + "=", false},
		{"too short", good[:42], false},
		{"not base64url", strings.Replace(good, "-", "+", 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &validation{in: params{values: map[string]string{paramDPoPJKT: tc.value}}}
			e := v.dpopJKT()
			switch {
			case tc.ok && (e != nil || v.req.DPoPJKT != tc.value):
				t.Errorf("got %v, DPoPJKT %q", e, v.req.DPoPJKT)
			case !tc.ok && (e == nil || e.Code != "invalid_request" || !strings.HasPrefix(e.Description, "dpop_jkt")):
				t.Errorf("got %v, want invalid_request naming dpop_jkt", e)
			}
		})
	}
}
