package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/schema"
)

func TestSchemaPrint(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		server string
		want   []string // file names, in order
	}{
		{name: "openldap, everything", args: []string{"--server", "openldap"},
			server: "openldap", want: []string{"oauth-client", "oauth-authz", "gatehouse"}},
		{name: "opendj, clients", args: []string{"--server", "opendj", "--kind", "client"},
			server: "opendj", want: []string{"oauth-client", "gatehouse"}},
		{name: "openldap, authorizations", args: []string{"--kind=authz", "--server=openldap"},
			server: "openldap", want: []string{"oauth-authz", "gatehouse"}},
		{name: "ad, everything", args: []string{"--server", "ad"},
			server: "ad", want: []string{"oauth-client", "oauth-authz", "gatehouse"}},
		{name: "ad, clients", args: []string{"--server", "ad", "--kind", "client"},
			server: "ad", want: []string{"oauth-client", "gatehouse"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, append([]string{"schema", "print"}, tc.args...)...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("code %d, stderr %q", r.code, r.stderr)
			}
			var parts []string
			for _, name := range tc.want {
				files, err := schema.Files(tc.server, schema.KindAll)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range files {
					if f.Name == name {
						parts = append(parts, string(f.Data))
					}
				}
			}
			if want := strings.Join(parts, "\n"); r.stdout != want {
				t.Errorf("stdout is not the files %v, separated by blank lines:\n%s", tc.want, r.stdout)
			}
		})
	}
}

func TestSchemaUsageErrors(t *testing.T) {
	dir := t.TempDir()
	embedded := writeFile(t, dir, "embedded.yaml", "issuer: http://127.0.0.1:8080\n")
	empty := writeFile(t, dir, "empty-password", "\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no subcommand", args: []string{"schema"}, want: "want print or apply"},
		{name: "unknown subcommand", args: []string{"schema", "show"}, want: `unknown subcommand "show"`},
		{name: "print without server", args: []string{"schema", "print"}, want: "--server openldap|opendj|ad is required"},
		{name: "print for another server", args: []string{"schema", "print", "--server", "novell"}, want: `unknown directory server "novell"`},
		{name: "apply to another server", args: []string{"schema", "apply", "--server", "opendj", "--ldap-url", "ldap://127.0.0.1:1"},
			want: `unknown --server "opendj" (want openldap or ad)`},
		{name: "print an unknown kind", args: []string{"schema", "print", "--server", "openldap", "--kind", "users"}, want: `unknown schema kind "users"`},
		{name: "print with an argument", args: []string{"schema", "print", "--server", "openldap", "extra"}, want: `unexpected argument "extra"`},
		{name: "apply without a server", args: []string{"schema", "apply"}, want: "--config PATH or --ldap-url URL is required"},
		{name: "apply over TCP without identity", args: []string{"schema", "apply", "--ldap-url", "ldap://127.0.0.1:1"}, want: "needs --bind-dn"},
		{name: "bind DN without password", args: []string{"schema", "apply", "--ldap-url", "ldap://127.0.0.1:1", "--bind-dn", "cn=config"}, want: "go together"},
		{name: "missing password file", args: []string{"schema", "apply", "--ldap-url", "ldap://127.0.0.1:1", "--bind-dn", "cn=config",
			"--bind-password-file", dir + "/absent"}, want: "absent"},
		{name: "empty password file", args: []string{"schema", "apply", "--ldap-url", "ldap://127.0.0.1:1", "--bind-dn", "cn=config",
			"--bind-password-file", empty}, want: "is empty"},
		{name: "embedded directory", args: []string{"schema", "apply", "--config", embedded}, want: "ldap.urls is empty"},
		{name: "missing config", args: []string{"schema", "apply", "--config", dir + "/absent.yaml"}, want: "absent.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit code %d, want %d (stderr %q)", r.code, exitUsage, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
				t.Errorf("stderr %q, want one line with %q", r.stderr, tc.want)
			}
		})
	}
}

func TestSchemaApplyOverLDAPI(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})

	r := runCmd(t, "schema", "apply", "--ldap-url", s.LDAPI, "--dry-run")
	if r.code != exitOK || strings.Count(r.stdout, "would add schema entry") != 3 {
		t.Fatalf("dry run: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	r = runCmd(t, "schema", "apply", "--ldap-url", s.LDAPI)
	want := "added schema entry cn=oauth-client,cn=schema,cn=config (54 attribute types, 3 object classes)\n" +
		"added schema entry cn=oauth-authz,cn=schema,cn=config (17 attribute types, 2 object classes)\n" +
		"added schema entry cn=gatehouse,cn=schema,cn=config (17 attribute types, 4 object classes)\n" +
		"schema 1.15 applied\n"
	if r.code != exitOK || r.stdout != want {
		t.Fatalf("apply: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	r = runCmd(t, "schema", "apply", "--ldap-url", s.LDAPI)
	if r.code != exitOK || r.stdout != "schema 1.15 is current; nothing to do\n" {
		t.Errorf("second apply: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestSchemaApplyWithConfig(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})
	dir := t.TempDir()
	password := writeFile(t, dir, "config-password", s.ConfigPassword+"\n")
	config := writeFile(t, dir, "gatehouse.yaml", "issuer: http://127.0.0.1:8080\nldap:\n  urls: ["+s.URL+"]\n"+
		"  bindDN: "+s.ConfigDN+"\n  bindPasswordFile: "+password+"\n")

	r := runCmd(t, "schema", "apply", "--config", config)
	if r.code != exitOK || !strings.HasSuffix(r.stdout, "schema 1.15 applied\n") {
		t.Fatalf("apply: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// The bind flags override the configuration's identity.
	r = runCmd(t, "schema", "apply", "--config", config, "--bind-dn", s.AdminDN, "--bind-password-file", password)
	if r.code != exitFailure || !strings.Contains(r.stderr, "Invalid Credentials") {
		t.Errorf("apply with other credentials: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, "schema", "apply", "--config", config)
	if r.code != exitOK || r.stdout != "schema 1.15 is current; nothing to do\n" {
		t.Errorf("second apply: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestSchemaApplyUnreachable(t *testing.T) {
	password := writeFile(t, t.TempDir(), "password", "secret")
	r := runCmd(t, "schema", "apply", "--ldap-url", "ldap://127.0.0.1:1", "--bind-dn", "cn=config", "--bind-password-file", password)
	if r.code != exitFailure || !strings.Contains(r.stderr, "ldap://127.0.0.1:1") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("code %d, stderr %q", r.code, r.stderr)
	}
}

// TestSchemaPrintLoads feeds the printed schema to ldapadd, as the README
// tells operators to.
func TestSchemaPrintLoads(t *testing.T) {
	t.Parallel()
	ldapadd, err := exec.LookPath("ldapadd")
	if err != nil {
		t.Skipf("ldapadd not installed (Debian package ldap-utils): %v", err)
	}
	s := ldaptest.New(t, ldaptest.Options{BareSchema: true})
	r := runCmd(t, "schema", "print", "--server", "openldap")
	if r.code != exitOK {
		t.Fatalf("print: code %d, stderr %q", r.code, r.stderr)
	}
	path := writeFile(t, t.TempDir(), "schema.ldif", r.stdout)
	if out, err := exec.Command(ldapadd, "-Q", "-Y", "EXTERNAL", "-H", s.LDAPI, "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ldapadd: %v\n%s", err, out)
	}
	r = runCmd(t, "schema", "apply", "--ldap-url", s.LDAPI)
	if r.code != exitOK || r.stdout != "schema 1.15 is current; nothing to do\n" {
		t.Errorf("apply after ldapadd: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestSchemaApplyAD applies the schema to a Samba AD DC: a dry run that
// writes nothing (by flags, over ldap://), the real run over ldaps:// with
// the configuration's CA and identity, and a second run that finds
// nothing to do.
func TestSchemaApplyAD(t *testing.T) {
	t.Parallel()
	dc := adtest.New(t)
	dir := t.TempDir()
	password := writeFile(t, dir, "admin-password", dc.AdminPassword+"\n")
	config := writeFile(t, dir, "gatehouse.yaml", "issuer: http://127.0.0.1:8080\nldap:\n  urls: ["+dc.LDAPSURL+"]\n"+
		"  caFile: "+dc.CAFile+"\n  bindDN: "+dc.AdminDN+"\n  bindPasswordFile: "+password+"\n")
	schemaDN := "CN=Schema,CN=Configuration," + dc.BaseDN

	r := runCmd(t, "schema", "apply", "--server", "ad", "--ldap-url", dc.URL,
		"--bind-dn", dc.AdminDN, "--bind-password-file", password, "--dry-run")
	if r.code != exitOK || strings.Count(r.stdout, "would add attribute type ") != 54+17+17 ||
		strings.Count(r.stdout, "would add object class ") != 3+2+4 ||
		!strings.HasPrefix(r.stdout, "would add attribute type oauthClientID to "+schemaDN+"\n") {
		t.Fatalf("dry run: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, "schema", "apply", "--server", "ad", "--ldap-url", dc.URL,
		"--bind-dn", dc.AdminDN, "--bind-password-file", password, "--dry-run")
	if r.code != exitOK || !strings.Contains(r.stdout, "would add attribute type oauthClientID") {
		t.Fatalf("the dry run wrote something: second dry run says %q", r.stdout)
	}

	args := []string{"schema", "apply", "--server", "ad", "--config", config}
	r = runCmd(t, args...)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "added attribute type oauthClientID to "+schemaDN+"\n") ||
		!strings.HasSuffix(r.stdout, "added object class gatehouseKeyStore to "+schemaDN+"\nschema 1.15 applied\n") {
		t.Fatalf("apply: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, args...)
	if r.code != exitOK || r.stdout != "schema 1.15 is current; nothing to do\n" {
		t.Errorf("second apply: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestSchemaApplyOpenLDAPPlanOnAD: without --server ad the OpenLDAP plan
// says plainly that the server has no cn=config.
func TestSchemaApplyOpenLDAPPlanOnAD(t *testing.T) {
	t.Parallel()
	dc := adtest.New(t)
	password := writeFile(t, t.TempDir(), "admin-password", dc.AdminPassword)
	r := runCmd(t, "schema", "apply", "--ldap-url", dc.URL, "--bind-dn", dc.AdminDN, "--bind-password-file", password)
	if r.code != exitFailure || !strings.Contains(r.stderr, "not OpenLDAP with cn=config") {
		t.Errorf("code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
