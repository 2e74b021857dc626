package ldapstore_test

import (
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/conformance"
)

// The Active Directory form, chosen by WithDirectoryKind instead of read
// from the root DSE, passes the suites on the embedded directory too,
// which takes either form: the form's logic is tested without Samba, and
// the option overrides what the root DSE says (nothing of AD here).
func TestClientStoreADFormEmbedded(t *testing.T) {
	t.Parallel()
	d := embeddedDirectory(t)
	conformance.RunClientStoreTests(t, func(t *testing.T) conformance.Backend {
		if t.Name() == "TestClientStoreADFormEmbedded/PagingPastOneThousand" {
			t.Skip("paging does not depend on the form, and takes long: TestClientStoreEmbedded runs it")
		}
		s, base := d.store(t, ldapstore.WithDirectoryKind(ldapstore.DirectoryAD))
		return conformance.Backend{Store: s, BaseDN: base, Dir: d.conn, ActiveDirectory: true}
	})
}

func TestAuthorizationStoreADFormEmbedded(t *testing.T) {
	t.Parallel()
	d := embeddedWithPeople(t)
	conformance.RunAuthorizationStoreTests(t, func(t *testing.T) conformance.AuthorizationBackend {
		s, base := d.authorizations(t, ldapstore.WithAuthorizationDirectoryKind(ldapstore.DirectoryAD))
		return conformance.AuthorizationBackend{Store: s, BaseDN: base, Dir: d.conn, ActiveDirectory: true}
	})
}

func TestNewStoresRefuseUnknownDirectoryKind(t *testing.T) {
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{"ldap://127.0.0.1:1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := ldapstore.NewClients(pool, clientsDN, ldapstore.WithDirectoryKind("ad")); err == nil {
		t.Error("NewClients took directory kind \"ad\"")
	}
	if _, err := ldapstore.NewAuthorizations(pool, authorizationsDN,
		ldapstore.WithAuthorizationDirectoryKind("openldap")); err == nil {
		t.Error("NewAuthorizations took directory kind \"openldap\"")
	}
}
