package redistest

import "syscall"

// childProcAttr has the kernel kill redis-server if the test binary dies
// without running Close (a panic, or go test's timeout), so no server
// outlives its tests holding a port.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
