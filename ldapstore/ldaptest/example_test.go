package ldaptest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
)

// A test package can share one server among its tests from TestMain and
// give each test its own subtree with ldaptest.Subtree.
func ExampleStartSlapd() {
	var m *testing.M // TestMain's argument

	s, err := ldaptest.StartSlapd(context.Background(), ldaptest.Options{
		LDIF: []string{"../../conf/dev-directory.ldif"},
	})
	if errors.Is(err, ldaptest.ErrNotInstalled) && os.Getenv("CI") != "true" {
		fmt.Println("skipping:", err)
		os.Exit(0)
	}
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	code := m.Run()
	if err := s.Close(); err != nil {
		fmt.Println(err)
		code = 1
	}
	os.Exit(code)
}

func ExampleNew() {
	var t *testing.T // the test's argument

	s := ldaptest.New(t, ldaptest.Options{})
	conn := s.Conn(t)
	people := ldaptest.Subtree(t, conn, "ou=people,"+s.BaseDN)
	_ = people // add this test's users below it
}
