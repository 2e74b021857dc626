package schema_test

import (
	"context"
	"crypto/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// TestOpenDJFormIn389DS loads the opendj files into a private 389 Directory
// Server with ldapmodify, as the README tells operators to, and checks that
// the server then takes Gatehouse's entries. 389 DS is optional (it is not
// among the packages scripts/test-deps.sh installs, and an instance needs
// root and the fixed paths /etc/dirsrv, /var/lib/dirsrv, /run/dirsrv), so
// without it the test is skipped, on CI too; the parser tests cover the
// files' content everywhere.
func TestOpenDJFormIn389DS(t *testing.T) {
	t.Parallel()
	ds := start389(t)
	ldapmodify := requireTool(t, "ldapmodify")
	files, err := schema.Files(schema.ServerOpenDJ, schema.KindAll)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range files {
		path := filepath.Join(dir, filepath.Base(f.Path))
		if err := os.WriteFile(path, f.Data, 0o600); err != nil {
			t.Fatal(err)
		}
		for range 2 { // loading again is harmless on 389 DS
			out, err := exec.Command(ldapmodify, "-x", "-H", ds.url, "-D", ds.rootDN, "-w", ds.password, "-f", path).CombinedOutput()
			if err != nil {
				t.Fatalf("ldapmodify %s: %v\n%s", f.Path, err, out)
			}
		}
	}
	conn := ds.conn(t)
	assertServerSchema(t, conn)

	ou := ldap.NewAddRequest("ou=clients,dc=example,dc=org", nil)
	ou.Attribute("objectClass", []string{"organizationalUnit"})
	ou.Attribute("ou", []string{"clients"})
	add(t, conn, ou)

	attrs := allAttributes(t, "oidcRelyingParty", "gatehouseClient")
	attrs["oauthClientID"] = []string{"every"}
	attrs["oauthClientName;lang-de"] = []string{"Jeder"}
	attrs["oauthTLSClientAuthSubjectDN"] = []string{"2.5.4.97=#0c0f565344444529303030303030303030,CN=Client, O=Example"}
	every := client("every", attrs, "oidcRelyingParty", "gatehouseClient")
	add(t, conn, every)
	got := search(t, conn, every.DN, ldap.ScopeBaseObject, "(objectClass=*)", "*")[0]
	for name, want := range attrs {
		if values := got.GetEqualFoldAttributeValues(name); strings.Join(values, "|") != strings.Join(want, "|") {
			t.Errorf("%s = %q, want %q", name, values, want)
		}
	}
	add(t, conn, client("minimal", nil))

	authzAttrs := allAttributes(t, "oidcAuthz", "gatehouseAuthz")
	authzAttrs["authzSubject"] = []string{"alice"}
	authzAttrs["authzClientID"] = []string{"every"}
	authz := ldap.NewAddRequest("authzSubject=alice+authzClientID=every,dc=example,dc=org", nil)
	authz.Attribute("objectClass", []string{"oidcAuthz", "gatehouseAuthz"})
	for name, values := range authzAttrs {
		authz.Attribute(name, values)
	}
	add(t, conn, authz)

	// 389 DS reports both a second value of a single-valued attribute and
	// an unknown attribute as an object class violation.
	for name, attrs := range map[string]map[string][]string{
		"second client ID":  {"oauthClientID": {"a", "b"}},
		"unknown attribute": {"oauthClientColour": {"teal"}},
	} {
		if err := conn.Add(client("a", attrs)); !ldap.IsErrorWithCode(err, ldap.LDAPResultObjectClassViolation) {
			t.Errorf("%s: %v, want an object class violation", name, err)
		}
	}
}

// assertServerSchema reads the schema the server publishes and checks that
// each of our definitions is there as we wrote it.
func assertServerSchema(t *testing.T, conn *ldap.Conn) {
	t.Helper()
	res := search(t, conn, "cn=schema", ldap.ScopeBaseObject, "(objectClass=*)", "attributeTypes", "objectClasses")
	attrs := map[string]schema.AttributeType{}
	for _, v := range res[0].GetAttributeValues("attributeTypes") {
		a, err := schema.ParseAttributeType(v)
		if err != nil {
			t.Fatal(err)
		}
		attrs[a.Name()] = a
	}
	classes := map[string]schema.ObjectClass{}
	for _, v := range res[0].GetAttributeValues("objectClasses") {
		c, err := schema.ParseObjectClass(v)
		if err != nil {
			t.Fatal(err)
		}
		classes[c.Name()] = c
	}
	for _, s := range schema.Sets() {
		for _, want := range s.Attributes {
			got := attrs[want.Name()]
			got.Extensions = nil // X-ORIGIN 'user defined'
			if got.String() != want.String() {
				t.Errorf("server has %s\n want %s", got, want)
			}
		}
		for _, want := range s.Classes {
			got := classes[want.Name()]
			got.Extensions = nil
			if got.String() != want.String() {
				t.Errorf("server has %s\n want %s", got, want)
			}
		}
	}
}

// ds389 is a private 389 Directory Server instance.
type ds389 struct {
	name     string
	url      string
	rootDN   string
	password string
}

func (ds *ds389) conn(t *testing.T) *ldap.Conn {
	t.Helper()
	conn, err := ldap.DialURL(ds.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	if err := conn.Bind(ds.rootDN, ds.password); err != nil {
		t.Fatal(err)
	}
	return conn
}

// systemctlShim stands in for systemd, which dscreate and dsctl insist on:
// it runs ns-slapd for "start dirsrv@NAME" and stops it by its pid file.
const systemctlShim = `#!/bin/sh
cmd=$1; shift
unit=
for a in "$@"; do case $a in dirsrv@*) unit=${a%.service};; esac; done
name=${unit#dirsrv@}
pidfile=/run/dirsrv/slapd-$name.pid
running() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
case $cmd in
start)
	running && exit 0
	rm -f "$pidfile"
	mkdir -p /run/dirsrv "/run/lock/dirsrv/slapd-$name"
	/usr/sbin/ns-slapd -D "/etc/dirsrv/slapd-$name" -i "$pidfile" || exit 1
	for i in $(seq 1 100); do [ -s "$pidfile" ] && exit 0; sleep 0.1; done
	exit 1;;
stop)
	running && kill "$(cat "$pidfile")"
	for i in $(seq 1 100); do running || exit 0; sleep 0.1; done
	exit 1;;
is-active)
	running && exit 0
	exit 3;;
*)
	exit 0;;
esac
`

// start389 creates, starts and, when the test ends, removes an instance,
// or skips the test when 389 DS cannot run here.
func start389(t *testing.T) *ds389 {
	t.Helper()
	if testing.Short() {
		t.Skip("a 389 Directory Server instance takes seconds to create")
	}
	dscreate, err := exec.LookPath("dscreate")
	if err != nil {
		t.Skip("389 Directory Server is not installed (Debian package 389-ds-base; optional)")
	}
	dsctl, err := exec.LookPath("dsctl")
	if err != nil {
		t.Skip("389 Directory Server is not installed (no dsctl)")
	}
	if _, err := os.Stat("/usr/sbin/ns-slapd"); err != nil {
		t.Skip("389 Directory Server is not installed (no /usr/sbin/ns-slapd)")
	}
	if os.Geteuid() != 0 {
		t.Skip("a 389 Directory Server instance needs root")
	}
	dir := t.TempDir()
	shim := filepath.Join(dir, "bin")
	if err := os.Mkdir(shim, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(shim, "systemctl"), []byte(systemctlShim), 0o755); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+shim+":"+os.Getenv("PATH"))
	ds := &ds389{
		name:     "gatehouse" + strings.ToLower(rand.Text()[:8]),
		rootDN:   "cn=Directory Manager",
		password: rand.Text(),
	}
	port, securePort := freePort(t), freePort(t)
	ds.url = "ldap://127.0.0.1:" + strconv.Itoa(port)
	inf := filepath.Join(dir, "instance.inf")
	if err := os.WriteFile(inf, []byte("[general]\nfull_machine_name = localhost\nstart = False\n\n"+
		"[slapd]\ninstance_name = "+ds.name+"\nport = "+strconv.Itoa(port)+"\nsecure_port = "+strconv.Itoa(securePort)+
		"\nroot_password = "+ds.password+"\nself_sign_cert = False\n\n"+
		"[backend-userroot]\nsuffix = dc=example,dc=org\ncreate_suffix_entry = True\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	run := func(name string, args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run(dscreate, "from-file", inf)
	t.Cleanup(func() {
		cmd := exec.Command(dsctl, ds.name, "remove", "--do-it")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("remove 389 DS instance %s: %v\n%s", ds.name, err, out)
		}
	})
	listenOnLoopback(t, "/etc/dirsrv/slapd-"+ds.name+"/dse.ldif")
	run(filepath.Join(shim, "systemctl"), "start", "dirsrv@"+ds.name)
	waitForLDAP(t, ds)
	return ds
}

// listenOnLoopback keeps the instance off the network.
func listenOnLoopback(t *testing.T, dse string) {
	t.Helper()
	data, err := os.ReadFile(dse)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "dn: cn=config\n", "dn: cn=config\nnsslapd-listenhost: 127.0.0.1\n", 1)
	if err := os.WriteFile(dse, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func waitForLDAP(t *testing.T, ds *ds389) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := ldap.DialURL(ds.url)
		if err == nil {
			err = conn.Bind(ds.rootDN, ds.password)
			_ = conn.Close()
			if err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("389 DS at %s does not answer: %v", ds.url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}
