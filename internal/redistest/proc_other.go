//go:build !linux

package redistest

import "syscall"

// childProcAttr: only Linux can tie the server's life to the test binary's.
func childProcAttr() *syscall.SysProcAttr { return nil }
