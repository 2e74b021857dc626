package ldaptest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNotInstalled reports that OpenLDAP's server is missing on this machine.
var ErrNotInstalled = errors.New("ldaptest: OpenLDAP slapd is not installed")

// DebianPackages are the packages that provide what this package runs.
const DebianPackages = "slapd ldap-utils"

// schemaDir holds the standard schemas in cn=config form (package slapd).
const schemaDir = "/etc/ldap/schema"

// standardSchemas are loaded into every server, in this order: each one
// builds on the ones before it.
func standardSchemas() []string {
	return []string{"core", "cosine", "nis", "inetorgperson"}
}

// tools are the absolute paths of the programs a server needs.
type tools struct {
	slapd   string
	slapadd string
}

func findTools() (tools, error) {
	var t tools
	var err error
	if t.slapd, err = lookTool("slapd"); err != nil {
		return t, err
	}
	if t.slapadd, err = lookTool("slapadd"); err != nil {
		return t, err
	}
	for _, name := range standardSchemas() {
		if _, err := os.Stat(schemaPath(name)); err != nil {
			return t, fmt.Errorf("%w: schema %s: %w", ErrNotInstalled, name, err)
		}
	}
	return t, nil
}

// lookTool finds a program on PATH or in /usr/sbin, where Debian puts
// slapd and slapadd but which is not on an ordinary user's PATH.
func lookTool(name string) (string, error) {
	if path, err := exec.LookPath(name); err == nil {
		return path, nil
	}
	path := filepath.Join("/usr/sbin", name)
	if _, err := exec.LookPath(path); err != nil {
		return "", fmt.Errorf("%w: %s not found on PATH or in /usr/sbin", ErrNotInstalled, name)
	}
	return path, nil
}

func schemaPath(name string) string {
	return filepath.Join(schemaDir, name+".ldif")
}
