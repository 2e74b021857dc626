package adtest

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// dcPorts are the ports Samba listens on with "server services = ldap":
// LDAP, LDAPS and the global catalog's two. They cannot be changed, so each
// DC gets a loopback address of its own instead (any 127.0.0.N works on
// Linux without setup).
var dcPorts = []int{389, 636, 3268, 3269}

// Loopback addresses 127.0.0.N are taken from this range.
const firstHost, lastHost = 10, 250

// leaseAddress picks a loopback address for a new DC. A lock file per
// address, held until release, keeps DCs of concurrently running test
// binaries apart; a trial listen on each port keeps away from any other
// server (Samba exits if anything, even on 0.0.0.0, holds its ports).
func leaseAddress() (addr string, release func(), err error) {
	n := lastHost - firstHost + 1
	start := rand.IntN(n)
	for i := range n {
		addr := "127.0.0." + strconv.Itoa(firstHost+(start+i)%n)
		release, ok, err := tryLockFile(filepath.Join(os.TempDir(), "gatehouse-adtest-"+addr+".lock"), syscall.LOCK_EX)
		if err != nil && !errors.Is(err, fs.ErrPermission) {
			return "", nil, err
		}
		if !ok {
			continue // another DC's address, or another user's lock file
		}
		err = portsFree(addr)
		if err == nil {
			return addr, release, nil
		}
		release()
		if !errors.Is(err, syscall.EADDRINUSE) {
			return "", nil, err
		}
	}
	return "", nil, fmt.Errorf("adtest: no loopback address 127.0.0.%d-%d with ports %v free (is something listening on 0.0.0.0:389?)", firstHost, lastHost, dcPorts)
}

// portsFree reports whether addr's DC ports can be bound. Binding ports
// below 1024 needs root, as does Samba itself.
func portsFree(addr string) error {
	for _, port := range dcPorts {
		l, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
		if errors.Is(err, syscall.EACCES) {
			return fmt.Errorf("%w: it must run as root (binding %s:%d: %w)", ErrNotInstalled, addr, port, err)
		}
		if err != nil {
			return err
		}
		if err := l.Close(); err != nil {
			return err
		}
	}
	return nil
}
