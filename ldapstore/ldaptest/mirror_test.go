package ldaptest_test

import (
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// TestMirrorPairReplicatesBothWays writes through each provider and reads
// the entry back from the other; a kill and start of one catches up.
func TestMirrorPairReplicatesBothWays(t *testing.T) {
	p := ldaptest.NewMirrorPair(t, ldaptest.Options{})
	for _, tc := range []struct {
		name     string
		from, to *ldaptest.Slapd
	}{
		{"A to B", p.A, p.B},
		{"B to A", p.B, p.A},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dn := ldaptest.Subtree(t, tc.from.Conn(t), "ou=clients,"+tc.from.BaseDN)
			if _, err := ldaptest.WaitEntry(t.Context(), tc.to, dn, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	t.Run("killed provider catches up", func(t *testing.T) {
		if err := p.B.Kill(); err != nil {
			t.Fatal(err)
		}
		dn := ldaptest.Subtree(t, p.A.Conn(t), "ou=people,"+p.A.BaseDN)
		if err := p.B.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		e, err := ldaptest.WaitEntry(t.Context(), p.B, dn, func(e *ldap.Entry) bool { return e.GetAttributeValue("entryUUID") != "" })
		if err != nil {
			t.Fatal(err)
		}
		if err := p.WaitInSync(t.Context()); err != nil {
			t.Fatal(err)
		}
		if e.DN != dn {
			t.Errorf("replicated entry is %s, want %s", e.DN, dn)
		}
	})
}
