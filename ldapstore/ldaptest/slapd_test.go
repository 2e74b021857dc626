package ldaptest

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

const (
	peopleLDIF = "testdata/people.ldif"
	schemaLDIF = "testdata/schema.ldif"
	devLDIF    = "../../conf/dev-directory.ldif"

	carolDN       = "uid=carol,ou=people,dc=example,dc=org"
	carolPassword = "carol-Secret-1"
	carolUUID     = "0890de53-ea83-400b-9f5e-19449310dd97"
)

func TestBaseEntries(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	conn := s.Conn(t)
	for _, dn := range baseDNs(s) {
		entries := search(t, conn, dn, ldap.ScopeBaseObject, "(objectClass=*)")
		if len(entries) != 1 {
			t.Errorf("%s: %d entries", dn, len(entries))
		}
	}
	if s.PolicyDN != "" {
		t.Errorf("PolicyDN = %q without PPolicy", s.PolicyDN)
	}
}

func TestAddAndRead(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	conn := s.Conn(t)
	dn := "uid=dave," + Subtree(t, conn, "ou=people,"+s.BaseDN)
	addPerson(t, conn, dn, "dave-Secret-1")

	entries := search(t, conn, dn, ldap.ScopeBaseObject, "(objectClass=inetOrgPerson)", "mail", "entryUUID")
	if len(entries) != 1 {
		t.Fatalf("%d entries for %s", len(entries), dn)
	}
	if got := entries[0].GetAttributeValue("mail"); got != "dave@example.org" {
		t.Errorf("mail = %q", got)
	}
	if entries[0].GetAttributeValue("entryUUID") == "" {
		t.Error("slapd assigned no entryUUID")
	}
}

func TestSubtreeIsUnique(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	conn := s.Conn(t)
	parent := "ou=groups," + s.BaseDN
	first, second := Subtree(t, conn, parent), Subtree(t, conn, parent)
	if first == second {
		t.Fatalf("two subtrees share the DN %s", first)
	}
	for _, dn := range []string{first, second} {
		if !strings.HasPrefix(dn, "ou=TestSubtreeIsUnique-") || !strings.HasSuffix(dn, ","+parent) {
			t.Errorf("subtree DN %s", dn)
		}
		if n := len(search(t, conn, dn, ldap.ScopeBaseObject, "(objectClass=organizationalUnit)")); n != 1 {
			t.Errorf("%s: %d entries", dn, n)
		}
	}
}

func TestLDIFFile(t *testing.T) {
	t.Parallel()
	s := New(t, Options{LDIF: []string{peopleLDIF}})
	conn := s.Conn(t)

	// The file's suffix wins over the generated one, and the units the file
	// lacks are still there, each once.
	suffix := search(t, conn, s.BaseDN, ldap.ScopeBaseObject, "(objectClass=*)", "o")
	if got := suffix[0].GetAttributeValue("o"); got != "People Fixture" {
		t.Errorf("suffix o = %q, want the file's", got)
	}
	units := search(t, conn, s.BaseDN, ldap.ScopeSingleLevel, "(objectClass=organizationalUnit)")
	if len(units) != 4 {
		t.Errorf("%d units under the suffix, want 4", len(units))
	}

	carol := search(t, conn, carolDN, ldap.ScopeBaseObject, "(objectClass=*)", "entryUUID")
	if got := carol[0].GetAttributeValue("entryUUID"); got != carolUUID {
		t.Errorf("entryUUID = %q, want the file's %q", got, carolUUID)
	}
	assertBind(t, s, carolDN, carolPassword, true)
	assertBind(t, s, carolDN, "wrong", false)
}

func TestDevDirectory(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(devLDIF); err != nil {
		t.Skipf("no development directory: %v", err)
	}
	s := New(t, Options{LDIF: []string{devLDIF}})
	conn := s.Conn(t)
	for _, dn := range baseDNs(s) {
		if n := len(search(t, conn, dn, ldap.ScopeBaseObject, "(objectClass=*)")); n != 1 {
			t.Errorf("%s: %d entries", dn, n)
		}
	}
	for _, uid := range []string{"alice", "bob"} {
		users := search(t, conn, "ou=people,"+s.BaseDN, ldap.ScopeWholeSubtree, "(uid="+uid+")", "entryUUID")
		if len(users) != 1 || users[0].GetAttributeValue("entryUUID") == "" {
			t.Errorf("uid=%s: %d entries, want one with an entryUUID", uid, len(users))
		}
	}
}

func TestPasswordsAreHidden(t *testing.T) {
	t.Parallel()
	s := New(t, Options{LDIF: []string{peopleLDIF}})
	tests := []struct {
		name         string
		bindDN       string
		password     string
		wantPassword bool
	}{
		{name: "anonymous", wantPassword: false},
		{name: "self", bindDN: carolDN, password: carolPassword, wantPassword: true},
		{name: "admin", bindDN: s.AdminDN, password: s.AdminPassword, wantPassword: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn := dial(t, s)
			if tc.bindDN != "" {
				if err := conn.Bind(tc.bindDN, tc.password); err != nil {
					t.Fatal(err)
				}
			}
			entries := search(t, conn, carolDN, ldap.ScopeBaseObject, "(objectClass=*)", "cn", "userPassword")
			if len(entries) != 1 || entries[0].GetAttributeValue("cn") == "" {
				t.Fatalf("entry not readable: %v", entries)
			}
			if got := entries[0].GetAttributeValue("userPassword") != ""; got != tc.wantPassword {
				t.Errorf("userPassword readable = %v, want %v", got, tc.wantPassword)
			}
		})
	}
}

func TestLDAPIExternal(t *testing.T) {
	t.Parallel()
	ldapsearch := requireTool(t, "ldapsearch")
	s := New(t, Options{})
	out, err := exec.Command(ldapsearch, "-Q", "-LLL", "-Y", "EXTERNAL", "-H", s.LDAPI,
		"-b", "cn=config", "-s", "base", "dn").CombinedOutput()
	if err != nil {
		t.Fatalf("ldapsearch -Y EXTERNAL: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "dn: cn=config") {
		t.Errorf("ldapsearch output:\n%s", out)
	}
}

func TestSchemas(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Schemas: []string{schemaLDIF}})
	conn := s.Conn(t)
	dn := "uid=erin," + Subtree(t, conn, "ou=people,"+s.BaseDN)
	req := personRequest(dn, "erin-Secret-1", "ldaptestThing")
	req.Attribute("ldaptestColor", []string{"teal"})
	if err := conn.Add(req); err != nil {
		t.Fatalf("add with the extra schema: %v", err)
	}
	got := search(t, conn, dn, ldap.ScopeBaseObject, "(ldaptestColor=TEAL)", "ldaptestColor")
	if len(got) != 1 {
		t.Fatalf("%d entries match the extra attribute", len(got))
	}

	schemas := search(t, s.ConfigConn(t), "cn=schema,cn=config", ldap.ScopeSingleLevel, "(cn=*ldaptest)")
	if len(schemas) != 1 {
		t.Errorf("%d ldaptest schema entries in cn=config", len(schemas))
	}
}

func TestPPolicyLockout(t *testing.T) {
	t.Parallel()
	s := New(t, Options{PPolicy: true})
	conn := s.Conn(t)
	dn := "uid=frank," + Subtree(t, conn, "ou=people,"+s.BaseDN)
	addPerson(t, conn, dn, "frank-Secret-1")

	for range 3 {
		assertBind(t, s, dn, "wrong", false)
	}
	assertBind(t, s, dn, "frank-Secret-1", false) // locked

	unlock := ldap.NewModifyRequest(dn, nil)
	unlock.Delete("pwdAccountLockedTime", nil)
	if err := conn.Modify(unlock); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	assertBind(t, s, dn, "frank-Secret-1", true)
}

func TestClose(t *testing.T) {
	t.Parallel()
	s, err := StartSlapd(t.Context(), Options{})
	if errors.Is(err, ErrNotInstalled) && !inCI() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	pid := s.proc.Pid()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("slapd (pid %d) still there after Close: kill -0 says %v", pid, err)
	}
	if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there after Close: %v", s.Dir, err)
	}
	if conn, err := net.DialTimeout("tcp", strings.TrimPrefix(s.URL, "ldap://"), time.Second); err == nil {
		_ = conn.Close()
		t.Errorf("%s still accepts connections after Close", s.URL)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCloseReportsCrash(t *testing.T) {
	t.Parallel()
	s, err := StartSlapd(t.Context(), Options{})
	if errors.Is(err, ErrNotInstalled) && !inCI() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := s.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.proc.Done()
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "died before Close") {
		t.Errorf("Close after a crash: %v", err)
	}
	if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there after Close: %v", s.Dir, err)
	}
}

// TestPortTakenIsRecognised checks the message that launch relies on to
// retry: a second slapd on a busy port must report errPortTaken.
func TestPortTakenIsRecognised(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	busy := strings.TrimSuffix(s.URL, "/") + "/"
	proc, err := startProcess(s.proc.Path(), "-d", "none", "-h", busy, "-F", s.configDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proc.kill() })
	select {
	case <-proc.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("second slapd on a busy port did not exit")
	}
	if err := proc.exitError(); !errors.Is(err, errPortTaken) {
		t.Errorf("exit error %v is not errPortTaken", err)
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	orphan := filepath.Join(t.TempDir(), "orphan.ldif")
	writeFile(t, orphan, "dn: uid=x,ou=nowhere,dc=example,dc=org\nobjectClass: account\nuid: x\n")
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{name: "missing LDIF", opts: Options{LDIF: []string{"testdata/none.ldif"}}, want: "none.ldif"},
		{name: "missing schema", opts: Options{Schemas: []string{"testdata/none.ldif"}}, want: "none.ldif"},
		{name: "entry without parent", opts: Options{LDIF: []string{orphan}}, want: "orphan.ldif"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := StartSlapd(t.Context(), tc.opts)
			if errors.Is(err, ErrNotInstalled) && !inCI() {
				t.Skip(err)
			}
			if err == nil {
				_ = s.Close()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not name %s: %v", tc.want, err)
			}
		})
	}
}

// BenchmarkStart measures a whole start and stop of a server with the
// base entries, the cost a test pays for a private directory.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		s, err := StartSlapd(context.Background(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

func baseDNs(s *Slapd) []string {
	dns := []string{s.BaseDN}
	for _, ou := range []string{"people", "groups", "clients", "authorizations"} {
		dns = append(dns, "ou="+ou+","+s.BaseDN)
	}
	return dns
}

func dial(t *testing.T, s *Slapd) *ldap.Conn {
	t.Helper()
	conn, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func assertBind(t *testing.T, s *Slapd, dn, password string, wantOK bool) {
	t.Helper()
	err := dial(t, s).Bind(dn, password)
	switch {
	case wantOK && err != nil:
		t.Errorf("bind as %s: %v", dn, err)
	case !wantOK && !ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials):
		t.Errorf("bind as %s with %q: %v, want invalid credentials", dn, password, err)
	}
}

func search(t *testing.T, conn *ldap.Conn, base string, scope int, filter string, attrs ...string) []*ldap.Entry {
	t.Helper()
	req := ldap.NewSearchRequest(base, scope, ldap.NeverDerefAliases, 0, 0, false, filter, attrs, nil)
	res, err := conn.Search(req)
	if err != nil {
		t.Fatalf("search %s %s: %v", base, filter, err)
	}
	return res.Entries
}

func personRequest(dn, password string, auxClasses ...string) *ldap.AddRequest {
	rdn, _, _ := strings.Cut(dn, ",")
	uid := strings.TrimPrefix(rdn, "uid=")
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", append([]string{"inetOrgPerson"}, auxClasses...))
	req.Attribute("uid", []string{uid})
	req.Attribute("cn", []string{uid})
	req.Attribute("sn", []string{uid})
	req.Attribute("mail", []string{uid + "@example.org"})
	req.Attribute("userPassword", []string{password})
	return req
}

func addPerson(t *testing.T, conn *ldap.Conn, dn, password string) {
	t.Helper()
	if err := conn.Add(personRequest(dn, password)); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
}

// requireTool finds a command-line client, skipping the test without it
// unless CI=true.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	switch {
	case err == nil:
		return path
	case inCI():
		t.Fatalf("%s: %v", name, err)
	default:
		t.Skipf("%s not installed (Debian package ldap-utils): %v", name, err)
	}
	return ""
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
