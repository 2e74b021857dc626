package provider

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/registration"
)

// The guard is the default for openly registered clients; only the lab
// switch swaps in an ordinary client.
func TestOpenClientHTTP(t *testing.T) {
	if c := openClientHTTP(Options{}); c != nil {
		t.Errorf("without the lab switch: %v, want nil (the guarded default)", c)
	}
	lab := Options{Registration: registration.Config{Policy: registration.Policy{OpenPrivateAddresses: true}}}
	c := openClientHTTP(lab)
	if c == nil || c.Transport != nil || c.CheckRedirect == nil {
		t.Errorf("with the lab switch: %+v, want an ordinary client that follows no redirect", c)
	}
}
