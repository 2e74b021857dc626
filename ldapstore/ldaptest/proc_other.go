//go:build !linux

package ldaptest

import "syscall"

// childProcAttr: only Linux can tie slapd's life to the test binary's.
func childProcAttr() *syscall.SysProcAttr { return nil }
