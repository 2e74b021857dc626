package adtest

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
)

// ErrNotInstalled reports that Samba's domain controller or its tools are
// missing on this machine, or that it cannot run here (it needs root).
var ErrNotInstalled = errors.New("adtest: Samba AD domain controller is not available")

// DebianPackages are the packages that provide what this package runs.
// Without samba-vfs-modules provisioning fails in setsysvolacl.
const DebianPackages = "samba samba-dsdb-modules samba-ad-provision samba-vfs-modules ldb-tools"

// tools are the absolute paths of the programs a domain controller needs.
type tools struct {
	samba     string // the server
	sambaTool string // provisioning and offline password settings
	ldbmodify string // offline changes no LDAP client may make
}

func findTools() (tools, error) {
	var t tools
	var err error
	if t.samba, err = lookTool("samba"); err != nil {
		return t, err
	}
	if t.sambaTool, err = lookTool("samba-tool"); err != nil {
		return t, err
	}
	if t.ldbmodify, err = lookTool("ldbmodify"); err != nil {
		return t, err
	}
	return t, nil
}

// lookTool finds a program on PATH or in /usr/sbin, where Debian puts
// samba but which is not on an ordinary user's PATH.
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
