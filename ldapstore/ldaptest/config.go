package ldaptest

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// dbMaxSize is the LMDB map size. It only reserves address space, so it can
// be generous; it caps how much a single test server can hold.
const dbMaxSize = 256 << 20

// configTemplate is the whole cn=config of a server, loaded with
// "slapadd -n0" before slapd starts. Order matters: modules before the
// schemas and databases that need them, schemas before databases.
//
// ppolicy brings its own schema in OpenLDAP 2.5, so loading the module is
// enough for the pwd* attributes to exist.
var configTemplate = template.Must(template.New("config").Parse(`dn: cn=config
objectClass: olcGlobal
cn: config
{{- with .Mirror}}
olcServerID: {{.ServerID}}
{{- end}}
{{- with .TLS}}
olcTLSCACertificateFile: {{.CA}}
olcTLSCertificateFile: {{.Cert}}
olcTLSCertificateKeyFile: {{.Key}}
{{- end}}

dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModuleLoad: back_mdb
{{- if .PolicyDN}}
olcModuleLoad: ppolicy
{{- end}}
{{- if .Mirror}}
olcModuleLoad: syncprov
{{- end}}

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{{range .Schemas -}}
include: {{.}}
{{end}}
dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to *{{range .Peers}} by dn.exact={{.}} manage{{end}} by * break
olcRootDN: {{.ConfigDN}}
olcRootPW: {{.ConfigPassword}}

dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: {{.DBDir}}
olcSuffix: {{.BaseDN}}
olcRootDN: {{.AdminDN}}
olcRootPW: {{.AdminPassword}}
olcDbMaxSize: {{.MaxSize}}
olcDbIndex: objectClass eq
olcDbIndex: uid eq,sub
olcDbIndex: mail eq
olcDbIndex: cn eq,sub
olcDbIndex: member eq
olcDbIndex: entryUUID eq
{{- if .Shipped}}
olcDbIndex: oauthClientID eq,sub
olcDbIndex: authzSubject eq
olcDbIndex: authzClientID eq
olcDbIndex: authzRefreshToken eq
olcDbIndex: oidcSessionID eq
{{- end}}
olcAccess: {0}to attrs=userPassword by self write by anonymous auth by * none
olcAccess: {1}to * by * read
{{- with .Mirror}}
olcDbIndex: entryCSN eq
olcSyncrepl: {0}rid={{.RID}} provider={{.Provider}} bindmethod=simple binddn="{{$.AdminDN}}" credentials={{$.AdminPassword}} searchbase="{{$.BaseDN}}" type=refreshAndPersist retry="1 +" timeout=1 network-timeout=1
olcMultiProvider: TRUE
{{- end}}
{{- if .PolicyDN}}

dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {0}ppolicy
olcPPolicyDefault: {{.PolicyDN}}
olcPPolicyUseLockout: TRUE
{{- end}}
{{- if .Mirror}}

dn: olcOverlay={{if .PolicyDN}}{1}{{else}}{0}{{end}}syncprov,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcSyncProvConfig
olcOverlay: {{if .PolicyDN}}{1}{{else}}{0}{{end}}syncprov
olcSpCheckpoint: 100 1
{{- end}}
`))

// configData fills configTemplate.
type configData struct {
	Schemas        []string // file: URLs, standard schemas first
	Shipped        bool     // Gatehouse's schema is loaded; index its attributes
	Peers          []string // peercred identities allowed to manage cn=config
	ConfigDN       string
	ConfigPassword string
	DBDir          string
	BaseDN         string
	AdminDN        string
	AdminPassword  string
	PolicyDN       string
	MaxSize        int
	TLS            *tlsFiles     // nil: no TLS
	Mirror         *mirrorConfig // nil: a standalone server
}

// writeConfig creates the server's cn=config directory (slapd.d).
func (s *Slapd) writeConfig(ctx context.Context, tools tools, opts Options) error {
	data, err := s.configData(opts)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, data); err != nil {
		return fmt.Errorf("render cn=config: %w", err)
	}
	ldifPath := filepath.Join(s.Dir, "config.ldif")
	if err := os.WriteFile(ldifPath, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write cn=config LDIF: %w", err)
	}
	for _, dir := range []string{s.configDir(), data.DBDir} {
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	return run(ctx, tools.slapadd, "-q", "-n0", "-F", s.configDir(), "-l", ldifPath)
}

func (s *Slapd) configData(opts Options) (configData, error) {
	var files []string
	if !opts.BareSchema {
		shipped, err := writeShippedSchema(filepath.Join(s.Dir, "schema"))
		if err != nil {
			return configData{}, err
		}
		files = shipped
	}
	schemas, err := schemaURLs(append(files, opts.Schemas...))
	if err != nil {
		return configData{}, err
	}
	var tls *tlsFiles
	if opts.TLS {
		files, err := writeTLSFiles(filepath.Join(s.Dir, "tls"))
		if err != nil {
			return configData{}, err
		}
		tls, s.CAFile = &files, files.CA
	}
	return configData{
		TLS:            tls,
		Schemas:        schemas,
		Shipped:        !opts.BareSchema,
		Peers:          peercredDNs(os.Getuid(), os.Getgid()),
		ConfigDN:       s.ConfigDN,
		ConfigPassword: s.ConfigPassword,
		DBDir:          filepath.Join(s.Dir, "db"),
		BaseDN:         s.BaseDN,
		AdminDN:        s.AdminDN,
		AdminPassword:  s.AdminPassword,
		PolicyDN:       s.PolicyDN,
		MaxSize:        dbMaxSize,
		Mirror:         s.mirror,
	}, nil
}

func (s *Slapd) configDir() string { return filepath.Join(s.Dir, "slapd.d") }

// writeShippedSchema writes Gatehouse's OpenLDAP schema files, embedded in
// package schema, into dir for slapadd to include, and returns their paths
// in load order.
func writeShippedSchema(dir string) ([]string, error) {
	files, err := schema.Files(schema.ServerOpenLDAP, schema.KindAll)
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, f.Name+".ldif")
		if err := os.WriteFile(paths[i], f.Data, 0o600); err != nil {
			return nil, fmt.Errorf("write shipped schema: %w", err)
		}
	}
	return paths, nil
}

// schemaURLs lists the standard schemas and then the extra ones as the
// file: URLs that slapadd's "include:" takes. Extra files are checked here
// so a typo fails with the path rather than with slapadd's terse message.
func schemaURLs(extra []string) ([]string, error) {
	var urls []string
	for _, name := range standardSchemas() {
		urls = append(urls, fileURL(schemaPath(name)))
	}
	for _, path := range extra {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", path, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("schema: %w", err)
		}
		urls = append(urls, fileURL(abs))
	}
	return urls, nil
}

// fileURL escapes the path; libldap decodes %XX in include: URLs.
func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// peercredDNs are the SASL EXTERNAL identities that may manage cn=config
// over ldapi: root, so "ldapadd -Y EXTERNAL" works as on a Debian install,
// and the user running the tests, so it works without root too.
func peercredDNs(uid, gid int) []string {
	dns := []string{peercredDN(0, 0)}
	if uid != 0 {
		dns = append(dns, peercredDN(uid, gid))
	}
	return dns
}

func peercredDN(uid, gid int) string {
	return fmt.Sprintf("gidNumber=%d+uidNumber=%d,cn=peercred,cn=external,cn=auth", gid, uid)
}

// run runs one of OpenLDAP's offline tools and returns its output in the
// error, which is where slapadd explains what it did not like.
func run(ctx context.Context, path string, args ...string) error {
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(path), strings.Join(args, " "), err, out)
	}
	return nil
}
