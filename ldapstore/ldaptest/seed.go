package ldaptest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// record is one generated LDIF content record.
type record struct {
	dn    string
	attrs [][2]string // name, value; in order
}

func (r record) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dn: %s\n", r.dn)
	for _, a := range r.attrs {
		fmt.Fprintf(&b, "%s: %s\n", a[0], a[1])
	}
	return b.String()
}

// baseEntries returns the suffix entry and, in parent-first order, the
// entries below it that every server has.
func (s *Slapd) baseEntries() (suffix record, children []record) {
	suffix = record{dn: s.BaseDN, attrs: [][2]string{
		{"objectClass", "dcObject"},
		{"objectClass", "organization"},
		{"dc", "example"},
		{"o", "Example"},
	}}
	for _, ou := range []string{"people", "groups", "clients", "authorizations"} {
		children = append(children, orgUnit(ou, s.BaseDN))
	}
	if s.PolicyDN != "" {
		children = append(children, orgUnit("policies", s.BaseDN), defaultPolicy(s.PolicyDN))
	}
	return suffix, children
}

func orgUnit(name, parentDN string) record {
	return record{dn: "ou=" + name + "," + parentDN, attrs: [][2]string{
		{"objectClass", "organizationalUnit"},
		{"ou", name},
	}}
}

// defaultPolicy locks an account after three failed binds until an admin
// unlocks it; no expiry, so test passwords never age out mid-run.
func defaultPolicy(dn string) record {
	return record{dn: dn, attrs: [][2]string{
		{"objectClass", "device"},
		{"objectClass", "pwdPolicy"},
		{"cn", "default"},
		{"pwdAttribute", "userPassword"},
		{"pwdLockout", "TRUE"},
		{"pwdMaxFailure", "3"},
		{"pwdLockoutDuration", "0"},
	}}
}

// seed loads the database with slapadd. The order keeps parents before
// children: the generated suffix (unless a file has it), then the files,
// then the generated entries below the suffix that no file has.
func (s *Slapd) seed(ctx context.Context, tools tools, opts Options) error {
	files, present, err := s.prepareLDIF(opts.LDIF)
	if err != nil {
		return err
	}
	suffix, children := s.baseEntries()
	var before, after []record
	if !present.has(suffix.dn) {
		before = append(before, suffix)
	}
	for _, r := range children {
		if !present.has(r.dn) {
			after = append(after, r)
		}
	}
	if len(files) == 0 { // one slapadd run instead of two
		before, after = append(before, after...), nil
	}
	return s.slapaddAll(ctx, tools, before, files, after)
}

func (s *Slapd) slapaddAll(ctx context.Context, tools tools, before []record, files []preparedLDIF, after []record) error {
	if err := s.slapaddRecords(ctx, tools, "base-before.ldif", before); err != nil {
		return err
	}
	for _, f := range files {
		if err := s.slapadd(ctx, tools, f.path); err != nil {
			return fmt.Errorf("load %s: %w", f.source, err)
		}
	}
	return s.slapaddRecords(ctx, tools, "base-after.ldif", after)
}

func (s *Slapd) slapaddRecords(ctx context.Context, tools tools, name string, records []record) error {
	if len(records) == 0 {
		return nil
	}
	texts := make([]string, len(records))
	for i, r := range records {
		texts[i] = r.String()
	}
	path := filepath.Join(s.Dir, name)
	if err := os.WriteFile(path, []byte(strings.Join(texts, "\n")), 0o600); err != nil {
		return fmt.Errorf("write base entries: %w", err)
	}
	if err := s.slapadd(ctx, tools, path); err != nil {
		return fmt.Errorf("load base entries: %w", err)
	}
	return nil
}

// slapadd loads a file into the suffix's database (database 1; 0 is cn=config).
func (s *Slapd) slapadd(ctx context.Context, tools tools, path string) error {
	return run(ctx, tools.slapadd, "-q", "-n1", "-F", s.configDir(), "-l", path)
}

// preparedLDIF is a user's LDIF file copied into the server directory in
// the form slapadd accepts.
type preparedLDIF struct {
	source string // as given in Options.LDIF
	path   string // the copy
}

// prepareLDIF copies the files and collects the DNs they define.
func (s *Slapd) prepareLDIF(sources []string) ([]preparedLDIF, dnSet, error) {
	var files []preparedLDIF
	var present dnSet
	for i, src := range sources {
		data, err := os.ReadFile(src)
		if err != nil {
			return nil, nil, fmt.Errorf("read LDIF: %w", err)
		}
		dns, err := ldifDNs(data)
		if err != nil {
			return nil, nil, fmt.Errorf("LDIF %s: %w", src, err)
		}
		if err := present.add(dns...); err != nil {
			return nil, nil, fmt.Errorf("LDIF %s: %w", src, err)
		}
		dst := filepath.Join(s.Dir, fmt.Sprintf("seed-%d.ldif", i))
		if err := os.WriteFile(dst, withoutVersionLine(data), 0o600); err != nil {
			return nil, nil, fmt.Errorf("copy LDIF %s: %w", src, err)
		}
		files = append(files, preparedLDIF{source: src, path: dst})
	}
	return files, present, nil
}
