package ldaptest

import "syscall"

// childProcAttr has the kernel kill slapd if the test binary dies without
// running Close (a panic, or go test's timeout), so no server outlives its
// tests holding a port. Strictly the signal follows the exit of the thread
// that started slapd, but Go does not retire its threads in normal runs.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
