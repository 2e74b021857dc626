//go:build !linux

package proctest

import "syscall"

// childProcAttr: elsewhere there is no parent-death signal; a child may
// outlive a test binary that dies without stopping it.
func childProcAttr() *syscall.SysProcAttr { return nil }
