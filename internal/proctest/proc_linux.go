package proctest

import "syscall"

// childProcAttr has the kernel kill the child if the test binary dies
// without stopping it (a panic, or go test's timeout), so that no server
// outlives its tests holding a port. Strictly the signal follows the exit
// of the thread that started the child, but Go does not retire its threads
// in normal runs.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
