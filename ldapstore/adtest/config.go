package adtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// writeConfig replaces DIR/etc/smb.conf with one in which every path is
// under dir, so that DCs share nothing and nothing is written to /var or
// /run, and which runs only the LDAP server on addr.
//
// Simple binds over plain ldap:// need "ldap server require strong auth =
// no" (Samba's default refuses them; ldaps:// and StartTLS work anyway).
// The TLS files are Samba's defaults, tls/{key,cert,ca}.pem in the private
// directory, written by writeTLSFiles before the first start.
func writeConfig(dir, addr string) (string, error) {
	run := filepath.Join(dir, "run")
	settings := [][2]string{
		{"netbios name", strings.ToUpper(HostName)},
		{"realm", Realm},
		{"workgroup", Domain},
		{"server role", "active directory domain controller"},
		{"server services", "ldap"},
		{"interfaces", addr + "/8"},
		{"bind interfaces only", "yes"},
		{"ldap server require strong auth", "no"},
		{"dsdb:schema update allowed", "true"},
		{"private dir", filepath.Join(dir, "private")},
		{"lock directory", dir},
		{"state directory", filepath.Join(dir, "state")},
		{"cache directory", filepath.Join(dir, "cache")},
		{"pid directory", run},
		{"binddns dir", filepath.Join(dir, "bind-dns")},
		{"ncalrpc dir", filepath.Join(run, "ncalrpc")},
		{"winbindd socket directory", filepath.Join(run, "winbindd")},
		{"ntp signd socket directory", filepath.Join(run, "ntp_signd")},
		{"log file", filepath.Join(dir, "log", "samba.log")},
	}
	var b strings.Builder
	b.WriteString("[global]\n")
	for _, s := range settings {
		fmt.Fprintf(&b, "\t%s = %s\n", s[0], s[1])
	}
	for _, sub := range []string{"etc", "run", "cache", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return "", err
		}
	}
	path := confPath(dir)
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

func confPath(dir string) string { return filepath.Join(dir, "etc", "smb.conf") }
