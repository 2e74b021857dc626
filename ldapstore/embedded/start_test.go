package embedded_test

import (
	"errors"
	"net"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore/embedded"
)

func TestURLNamesTheChosenPort(t *testing.T) {
	srv := startServer(t)
	if !regexp.MustCompile(`^ldap://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(srv.URL()) {
		t.Fatalf("URL() = %q", srv.URL())
	}
	other := startServer(t)
	if other.URL() == srv.URL() {
		t.Fatalf("two servers on port 0 share %s", srv.URL())
	}
}

func TestRootDSE(t *testing.T) {
	srv := startServer(t)
	conn := dial(t, srv)
	tests := []struct {
		name  string
		attrs []string
		want  map[string][]string
	}{
		{
			name:  "all attributes",
			attrs: nil,
			want: map[string][]string{
				"namingContexts":       {suffix},
				"supportedLDAPVersion": {"3"},
				"supportedControl":     {ldap.ControlTypePaging},
			},
		},
		{
			name:  "by name",
			attrs: []string{"namingContexts"},
			want:  map[string][]string{"namingContexts": {suffix}, "supportedLDAPVersion": nil},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", tc.attrs, nil))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != 1 || res.Entries[0].DN != "" {
				t.Fatalf("want the root DSE, got %v", entryDNs(res.Entries))
			}
			for attr, want := range tc.want {
				if got := res.Entries[0].GetAttributeValues(attr); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
					t.Errorf("%s = %q, want %q", attr, got, want)
				}
			}
		})
	}
}

func TestStartReportsPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = taken.Close() }()
	addr := taken.Addr().String()

	srv, err := embedded.Start(embedded.Options{Listen: addr, AdminDN: adminDN, AdminPassword: adminPassword})
	if err == nil {
		_ = srv.Close()
		t.Fatal("Start succeeded on a port in use")
	}
	if want := "embedded directory: listen " + addr + ": address already in use"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("error %v is not EADDRINUSE", err)
	}
}

func TestStartRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    embedded.Options
		wantErr string
	}{
		{
			name:    "no admin",
			opts:    embedded.Options{},
			wantErr: "AdminDN and AdminPassword are required",
		},
		{
			name:    "admin without password",
			opts:    embedded.Options{AdminDN: adminDN},
			wantErr: "AdminDN and AdminPassword are required",
		},
		{
			name:    "malformed admin DN",
			opts:    embedded.Options{AdminDN: "not a dn", AdminPassword: "x"},
			wantErr: "AdminDN",
		},
		{
			name:    "seed file missing",
			opts:    embedded.Options{AdminDN: adminDN, AdminPassword: "x", Seed: "/nonexistent/seed.ldif"},
			wantErr: "no such file",
		},
		{
			name: "seed entry without its parent",
			opts: embedded.Options{AdminDN: adminDN, AdminPassword: "x", Seed: writeSeed(t,
				"dn: dc=example,dc=org\nobjectClass: domain\ndc: example\n\n"+
					"dn: cn=x,ou=missing,dc=example,dc=org\nobjectClass: person\ncn: x\nsn: x\n")},
			wantErr: "parent entry missing",
		},
		{
			name: "seed entry without objectClass",
			opts: embedded.Options{AdminDN: adminDN, AdminPassword: "x", Seed: writeSeed(t,
				"dn: dc=example,dc=org\ndc: example\n")},
			wantErr: "line 1",
		},
		{
			name:    "listen address unusable",
			opts:    embedded.Options{AdminDN: adminDN, AdminPassword: "x", Listen: "256.0.0.1:0"},
			wantErr: "embedded directory: listen 256.0.0.1:0",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := embedded.Start(tc.opts)
			if err == nil {
				_ = srv.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not mention %q", err, tc.wantErr)
			}
		})
	}
}

func TestCloseIsIdempotentAndStopsServing(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{AdminDN: adminDN, AdminPassword: adminPassword})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ldap.DialURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Bind(adminDN, adminPassword); err != nil {
		t.Fatal(err)
	}
	_ = conn.Close()
	for i := range 2 {
		if err := srv.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	if c, err := ldap.DialURL(srv.URL()); err == nil {
		_ = c.Close()
		t.Fatal("dial succeeded after Close")
	}
}

func TestShippedDevDirectory(t *testing.T) {
	srv := startServer(t, func(o *embedded.Options) { o.Seed = "../../conf/dev-directory.ldif" })
	conn := dial(t, srv)
	for _, user := range []struct{ dn, password string }{
		{"uid=alice,ou=people,dc=example,dc=org", "alice-password"},
		{"uid=bob,ou=people,dc=example,dc=org", "bob-password"},
	} {
		if err := conn.Bind(user.dn, user.password); err != nil {
			t.Errorf("bind as %s: %v", user.dn, err)
		}
	}
	got := searchDNs(t, conn, "ou=groups,dc=example,dc=org", ldap.ScopeSingleLevel, "(member=uid=alice,ou=people,dc=example,dc=org)")
	want := []string{"cn=admins,ou=groups,dc=example,dc=org", "cn=staff,ou=groups,dc=example,dc=org"}
	if !slices.Equal(got, want) {
		t.Errorf("alice's groups = %q, want %q", got, want)
	}
}

// TestCloseWithClientStillConnected: gldap cannot cut idle connections, so
// Close gives up after CloseTimeout, says why, and the client that held on
// is turned away on its next request; nothing it sends changes data.
func TestCloseWithClientStillConnected(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{
		Seed: writeSeed(t, testSeed), AdminDN: adminDN, AdminPassword: adminPassword,
		CloseTimeout: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	conn := admin(t, srv)
	// gldap may or may not still count the connection when Stop runs, so
	// Close either reports it or succeeds; what must hold either way is
	// that nothing is written after Close.
	first := srv.Close()
	if first != nil && !strings.Contains(first.Error(), "clients still connected") {
		t.Fatalf("Close = %v, want nil or a report of the connected client", first)
	}
	if err := conn.Add(addRequest("uid=late,"+people, person("late"))); err == nil {
		t.Fatal("a write after Close succeeded")
	}
	if second := srv.Close(); second != first {
		t.Errorf("second Close = %v, want the first one's outcome %v", second, first)
	}
}

func TestUnsupportedExtendedOperation(t *testing.T) {
	srv := startServer(t)
	conn := admin(t, srv)
	_, err := conn.WhoAmI(nil)
	checkCode(t, err, ldap.LDAPResultProtocolError)
	if got := searchDNs(t, conn, aliceDN, ldap.ScopeBaseObject, "(objectClass=*)"); len(got) != 1 {
		t.Errorf("connection unusable after an unsupported operation: %q", got)
	}
}
