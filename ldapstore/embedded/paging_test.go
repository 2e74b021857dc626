package embedded_test

import (
	"fmt"
	"testing"

	"github.com/go-ldap/ldap/v3"
)

const manyBase = "ou=many,dc=example,dc=org"

// addMany adds n entries below ou=many.
func addMany(t *testing.T, conn *ldap.Conn, n int) {
	t.Helper()
	ou := ldap.NewAddRequest(manyBase, nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	ou.Attribute("ou", []string{"many"})
	if err := conn.Add(ou); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		req := ldap.NewAddRequest(fmt.Sprintf("cn=item%04d,%s", i, manyBase), nil)
		req.Attribute("objectClass", []string{"device"})
		req.Attribute("cn", []string{fmt.Sprintf("item%04d", i)})
		if err := conn.Add(req); err != nil {
			t.Fatal(err)
		}
	}
}

func manyRequest(filter string, sizeLimit int, controls ...ldap.Control) *ldap.SearchRequest {
	return ldap.NewSearchRequest(manyBase, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, sizeLimit, 0, false, filter, []string{"cn"}, controls)
}

// pageOnce sends one paged search and returns its entries and cookie.
func pageOnce(t *testing.T, conn *ldap.Conn, filter string, size uint32, cookie []byte) ([]*ldap.Entry, []byte, error) {
	t.Helper()
	ctl := ldap.NewControlPaging(size)
	ctl.SetCookie(cookie)
	res, err := conn.Search(manyRequest(filter, 0, ctl))
	if err != nil {
		return nil, nil, err
	}
	got, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging)
	if !ok {
		t.Fatal("response carries no paging control")
	}
	return res.Entries, got.Cookie, nil
}

func TestPagedSearch(t *testing.T) {
	const total = 1050
	srv := startServer(t)
	root := admin(t, srv)
	addMany(t, root, total)

	t.Run("SearchWithPaging gets every entry once", func(t *testing.T) {
		res, err := dial(t, srv).SearchWithPaging(manyRequest("(objectClass=device)", 0), 100)
		if err != nil {
			t.Fatal(err)
		}
		seen := make(map[string]bool)
		for _, e := range res.Entries {
			if seen[e.DN] {
				t.Fatalf("%s returned twice", e.DN)
			}
			seen[e.DN] = true
		}
		if len(seen) != total {
			t.Fatalf("got %d entries, want %d", len(seen), total)
		}
	})

	t.Run("pages and cookies", func(t *testing.T) {
		conn := dial(t, srv)
		var cookie []byte
		pages, count := 0, 0
		for {
			entries, next, err := pageOnce(t, conn, "(objectClass=*)", 100, cookie)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			count += len(entries)
			if len(entries) > 100 {
				t.Fatalf("page %d has %d entries", pages, len(entries))
			}
			if len(next) == 0 {
				break
			}
			cookie = next
		}
		if pages != 11 || count != total {
			t.Fatalf("%d entries in %d pages, want %d in 11", count, pages, total)
		}
	})

	t.Run("a cookie from another search is refused", func(t *testing.T) {
		conn := dial(t, srv)
		_, cookie, err := pageOnce(t, conn, "(objectClass=*)", 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = pageOnce(t, conn, "(cn=*)", 10, cookie)
		checkCode(t, err, ldap.LDAPResultProtocolError)
		_, _, err = pageOnce(t, conn, "(objectClass=*)", 10, []byte("garbage"))
		checkCode(t, err, ldap.LDAPResultProtocolError)
	})

	t.Run("page size zero ends the search", func(t *testing.T) {
		entries, cookie, err := pageOnce(t, dial(t, srv), "(objectClass=*)", 0, nil)
		if err != nil || len(entries) != 0 || len(cookie) != 0 {
			t.Fatalf("got %d entries, cookie %q, error %v", len(entries), cookie, err)
		}
	})

	t.Run("size limit applies to the whole result", func(t *testing.T) {
		res, err := dial(t, srv).SearchWithPaging(manyRequest("(objectClass=*)", 250), 100)
		checkCode(t, err, ldap.LDAPResultSizeLimitExceeded)
		if len(res.Entries) != 250 {
			t.Fatalf("got %d entries, want 250", len(res.Entries))
		}
	})

	t.Run("entries deleted between pages do not shift the rest", func(t *testing.T) {
		conn := dial(t, srv)
		first, cookie, err := pageOnce(t, conn, "(cn=item00*)", 40, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := root.Del(ldap.NewDelRequest(first[0].DN, nil)); err != nil {
			t.Fatal(err)
		}
		rest, next, err := pageOnce(t, conn, "(cn=item00*)", 100, cookie)
		if err != nil {
			t.Fatal(err)
		}
		if len(next) != 0 || len(first)+len(rest) != 100 {
			t.Fatalf("%d + %d entries, cookie %q; want 100 in all", len(first), len(rest), next)
		}
		if rest[0].DN != fmt.Sprintf("cn=item%04d,%s", 40, manyBase) {
			t.Errorf("second page starts at %s", rest[0].DN)
		}
	})
}
