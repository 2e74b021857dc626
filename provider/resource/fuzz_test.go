package resource

import (
	"strings"
	"testing"
)

// FuzzHeaderToken: whatever the Authorization header holds, a token is
// returned only for the Bearer scheme and only in b64token syntax.
func FuzzHeaderToken(f *testing.F) {
	for _, seed := range []string{"Bearer abc.def.ghi", "bearer  x==", "Bearer ", "Basic cnA6eA==", "Bearer a b", "Bearer \"x\"", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, e := headerToken([]string{header})
		if token == "" {
			return
		}
		if e != nil {
			t.Fatalf("both a token %q and an error %v", token, e)
		}
		scheme, _, _ := strings.Cut(strings.TrimSpace(header), " ")
		if !strings.EqualFold(scheme, "Bearer") || !isToken68(token) || strings.ContainsAny(token, " \t\"\\,") {
			t.Fatalf("header %q gave token %q", header, token)
		}
	})
}
