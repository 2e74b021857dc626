package embedded_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/embedded"
)

const counterDN = "cn=counter,ou=people,dc=example,dc=org"

// casIncrement adds one to the counter with the compare-and-swap pattern,
// retrying when another writer got there first.
func casIncrement(conn *ldap.Conn) error {
	for {
		res, err := conn.Search(ldap.NewSearchRequest(counterDN, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"description"}, nil))
		if err != nil {
			return err
		}
		current := res.Entries[0].GetAttributeValue("description")
		n, err := strconv.Atoi(current)
		if err != nil {
			return err
		}
		req := ldap.NewModifyRequest(counterDN, nil)
		req.Delete("description", []string{current})
		req.Add("description", []string{strconv.Itoa(n + 1)})
		err = conn.Modify(req)
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchAttribute) {
			continue // lost the race: read again
		}
		return err
	}
}

func TestConcurrentClients(t *testing.T) {
	const writers, addsEach, incrementsEach = 8, 20, 10
	data := filepath.Join(t.TempDir(), "directory.ldif")
	srv := startServer(t, func(o *embedded.Options) { o.Data = data })
	setup := admin(t, srv)
	if err := setup.Add(addRequest(counterDN, attrs{"objectClass": {"person"}, "cn": {"counter"}, "sn": {"c"}, "description": {"0"}})); err != nil {
		t.Fatal(err)
	}
	conns := make([]*ldap.Conn, writers)
	readers := make([]*ldap.Conn, writers)
	for i := range writers {
		conns[i] = admin(t, srv)
		readers[i] = dial(t, srv)
	}

	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for i := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- writeMany(conns[i], i, addsEach, incrementsEach)
		}()
		go func() {
			defer wg.Done()
			errs <- readMany(readers[i], addsEach)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	if got := lookup(t, setup, counterDN, "description").GetAttributeValue("description"); got != strconv.Itoa(writers*incrementsEach) {
		t.Errorf("counter = %s, want %d: an update was lost", got, writers*incrementsEach)
	}
	if got := searchDNs(t, setup, people, ldap.ScopeSingleLevel, "(cn=w*)"); len(got) != writers*addsEach {
		t.Errorf("%d entries added, want %d", len(got), writers*addsEach)
	}
}

func writeMany(conn *ldap.Conn, writer, adds, increments int) error {
	for j := range max(adds, increments) {
		if j < adds {
			cn := fmt.Sprintf("w%d-%d", writer, j)
			req := addRequest("cn="+cn+","+people, attrs{"objectClass": {"person"}, "cn": {cn}, "sn": {"w"}})
			if err := conn.Add(req); err != nil {
				return fmt.Errorf("add %s: %w", cn, err)
			}
		}
		if j < increments {
			if err := casIncrement(conn); err != nil {
				return fmt.Errorf("increment: %w", err)
			}
		}
	}
	return nil
}

func readMany(conn *ldap.Conn, n int) error {
	for range n {
		res, err := conn.Search(ldap.NewSearchRequest(people, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=person)", []string{"cn", "description"}, nil))
		if err != nil {
			return err
		}
		if len(res.Entries) == 0 {
			return errors.New("a search saw no entries")
		}
	}
	return nil
}
