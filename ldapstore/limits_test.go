package ldapstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// TestClientIDsThatCannotBeDNs: OpenLDAP refuses a DN over 8 KiB as
// invalidDNSyntax. For Get and Delete such an ID names no client:
// ErrNotFound, not an internal error, and the error message does not
// carry the whole ID. Any ID up to the provider's bound for lookups reads
// as not found, even one needing DN escaping throughout, and one at the
// bound for registration is stored like any other (back-mdb stores at
// most 231 plain characters).
func TestClientIDsThatCannotBeDNs(t *testing.T) {
	d := openLDAP(t)
	s, _ := d.store(t, ldapstore.WithCacheTTL(0))
	ctx := context.Background()
	for _, n := range []int{8150, 100 << 10} {
		id := strings.Repeat("c", n)
		if _, err := s.Get(ctx, id); !errors.Is(err, ldapstore.ErrNotFound) || len(err.Error()) > 300 {
			t.Errorf("Get of a %d-byte ID: %.300v", n, err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, ldapstore.ErrNotFound) || len(err.Error()) > 300 {
			t.Errorf("Delete of a %d-byte ID: %.300v", n, err)
		}
	}
	for _, id := range []string{strings.Repeat("c", oauth.MaxClientID), strings.Repeat(",", oauth.MaxClientID)} {
		if _, err := s.Get(ctx, id); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Get of %.10q...: %.300v", id, err)
		}
	}
	id := strings.Repeat("c", oauth.MaxRegisteredClientID)
	if _, err := s.Create(ctx, oauth.Client{ID: id}); err != nil {
		t.Fatalf("create at the limit: %v", err)
	}
	if c, err := s.Get(ctx, id); err != nil || c.ID != id {
		t.Errorf("get at the limit: %v", err)
	}
	if err := s.Delete(ctx, id); err != nil {
		t.Errorf("delete at the limit: %v", err)
	}
}
