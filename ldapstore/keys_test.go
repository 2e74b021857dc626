package ldapstore_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

// TestKeySetSealedWithCompareAndSwap: the key set entry on OpenLDAP with
// the shipped schema holds only ciphertext, refuses a write from a stale
// read, and two hosts rotating at once both keep their keys.
func TestKeySetSealedWithCompareAndSwap(t *testing.T) {
	t.Parallel()
	d := openLDAP(t)
	dn := "cn=gatehouse-keys," + ldaptest.Subtree(t, d.conn, suffix)
	ctx := context.Background()
	store, err := ldapstore.NewKeySet(d.pool(t, 2), dn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ReadKeySet(ctx); !errors.Is(err, ldapstore.ErrNotFound) {
		t.Fatalf("read before creation: %v, want ErrNotFound", err)
	}
	kek, err := keyset.ParseKEK(keyset.NewKEK())
	if err != nil {
		t.Fatal(err)
	}
	first, err := (&keyset.Shared{Blobs: store, KEK: kek}).Update(ctx, func(*keyset.Set) (*keyset.Set, error) { return keyset.Generate() })
	if err != nil {
		t.Fatal(err)
	}

	// What the directory holds names no key and shows no key material.
	res, err := d.conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=gatehouseKeyStore)", []string{"gatehouseKeySet"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("entry: %v", err)
	}
	raw := res.Entries[0].GetAttributeValue("gatehouseKeySet")
	if raw == "" || strings.Contains(raw, first.KeyIDs()[0]) || strings.Contains(raw, `"kty"`) {
		t.Errorf("stored value is not sealed: %.80s", raw)
	}

	stored, err := store.ReadKeySet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		old  string
		want error
	}{
		{name: "a stale value is a conflict", old: stored + "x", want: ldapstore.ErrConflict},
		{name: "creating it again", old: "", want: ldapstore.ErrAlreadyExists},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := store.WriteKeySet(ctx, tc.old, "gatehouse-keys-v1.bogus"); !errors.Is(err, tc.want) {
				t.Fatalf("WriteKeySet = %v, want %v", err, tc.want)
			}
			if now, _ := store.ReadKeySet(ctx); now != stored {
				t.Error("a refused write changed the entry")
			}
		})
	}

	// Two hosts, each with its own pool, rotate at the same moment.
	var wg sync.WaitGroup
	fresh := make([]*keyset.Set, 2)
	for i := range fresh {
		host, err := ldapstore.NewKeySet(d.pool(t, 1), dn)
		if err != nil {
			t.Fatal(err)
		}
		if fresh[i], err = keyset.Generate(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			_, err := (&keyset.Shared{Blobs: host, KEK: kek}).Update(ctx, func(old *keyset.Set) (*keyset.Set, error) {
				return old.RotateAt(fresh[i], keyset.Schedule{PrePublication: time.Minute, RetireAfter: time.Hour}), nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	final, err := (&keyset.Shared{Blobs: store, KEK: kek}).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range append(fresh, first) {
		if !slices.Contains(final.KeyIDs(), want.KeyIDs()[0]) {
			t.Errorf("key %s lost; stored %v", want.KeyIDs()[0], final.KeyIDs())
		}
	}
}

func TestNewKeySetWantsACommonNameDN(t *testing.T) {
	for _, dn := range []string{"", "dc=org", "ou=keys,dc=example,dc=org", "not a dn"} {
		if _, err := ldapstore.NewKeySet(nil, dn); err == nil {
			t.Errorf("NewKeySet(%q) accepted it", dn)
		}
	}
}
