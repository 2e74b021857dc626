package registration

import (
	"context"
	"strings"
	"testing"
)

// TestGuardedMembers: exchange audiences and the security profile are the
// master token's to set; a client cannot give them to itself, nor change
// or drop them by updating itself.
func TestGuardedMembers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const aud = `"token_exchange_audiences":["https://api.example"]`
	if _, err := e.svc.Create(ctx, parse(t, `{`+redirect+`,`+aud+`}`), Open); err == nil || !strings.Contains(err.Error(), "token_exchange_audiences") {
		t.Fatalf("open registration with exchange audiences: %v", err)
	}
	e.register(t, `{`+redirect+`,"preferred_client_id":"rp-1",`+aud+`}`)

	for name, body := range map[string]string{
		"widen audiences":     `{` + redirect + `,"token_exchange_audiences":["https://api.example","https://payments.example"]}`,
		"take a profile away": `{` + redirect + `,` + aud + `,"gatehouse_profile":""}`,
	} {
		if _, err := e.svc.Replace(ctx, "rp-1", parse(t, body), Self); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Sent back unchanged, or left out: kept.
	for _, body := range []string{`{` + redirect + `,` + aud + `}`, `{` + redirect + `}`} {
		if _, err := e.svc.Replace(ctx, "rp-1", parse(t, body), Self); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got := string(e.get(t, "rp-1").Metadata.Extra["token_exchange_audiences"]); got != `["https://api.example"]` {
			t.Errorf("after %s: audiences %s", body, got)
		}
	}
	// The master token changes them.
	if _, err := e.svc.Replace(ctx, "rp-1", parse(t, `{`+redirect+`,"token_exchange_audiences":["https://b.example"]}`), Master); err != nil {
		t.Fatal(err)
	}
	if got := string(e.get(t, "rp-1").Metadata.Extra["token_exchange_audiences"]); got != `["https://b.example"]` {
		t.Errorf("after the master's update: %s", got)
	}
}
