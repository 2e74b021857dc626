package embedded

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/jimlambrt/gldap"
)

// Options configures the embedded directory.
type Options struct {
	// Seed is an LDIF file loaded when Data does not exist yet.
	Seed string
	// Data is the LDIF file the directory persists to after every
	// successful change; "" keeps the directory in memory only.
	Data string
	// Listen is the TCP address to serve on, such as "127.0.0.1:3389", or
	// "127.0.0.1:0" for a free port (see URL). Empty means "127.0.0.1:0".
	Listen string
	// AdminDN is the one DN allowed to write, e.g. cn=admin,dc=example,dc=org.
	// It need not name an entry.
	AdminDN string
	// AdminPassword is the admin's password, compared in constant time.
	AdminPassword string
	// Logger receives the directory's log; nil discards it.
	Logger *slog.Logger
	// CloseTimeout bounds how long Close waits for connected clients to
	// disconnect; zero means DefaultCloseTimeout.
	CloseTimeout time.Duration
}

// DefaultCloseTimeout is how long Close waits for clients by default.
const DefaultCloseTimeout = 5 * time.Second

// startTimeout bounds the wait for gldap to open its listener.
const startTimeout = 10 * time.Second

// Server is a running embedded directory.
type Server struct {
	ldap         *gldap.Server
	dir          *directory
	url          string
	runDone      chan error
	closeTimeout time.Duration

	closeOnce sync.Once
	closeErr  error
}

// Start loads the directory and returns once it accepts connections.
func Start(opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.AdminDN == "" || opts.AdminPassword == "" {
		return nil, errors.New("embedded directory: AdminDN and AdminPassword are required")
	}
	admin, err := newAdminCredential(opts.AdminDN, opts.AdminPassword)
	if err != nil {
		return nil, fmt.Errorf("embedded directory: AdminDN: %w", err)
	}
	dir, err := openDirectory(opts.Data, opts.Seed)
	if err != nil {
		return nil, err
	}
	s, glog, err := newServer(&handler{dir: dir, identities: newIdentities(), admin: admin, log: log})
	if err != nil {
		return nil, fmt.Errorf("embedded directory: %w", err)
	}
	addr, err := s.listen(opts.Listen, glog)
	if err != nil {
		return nil, err
	}
	s.url = ldapURL(addr)
	s.closeTimeout = opts.CloseTimeout
	if s.closeTimeout <= 0 {
		s.closeTimeout = DefaultCloseTimeout
	}
	log.Info("embedded directory listening", "url", s.url, "entries", dir.size(), "data", opts.Data)
	return s, nil
}

// newServer wires the handler into a gldap server.
func newServer(h *handler) (*Server, *gldapLog, error) {
	mux, err := newMux(h)
	if err != nil {
		return nil, nil, err
	}
	glog := newGldapLog(h.log)
	srv, err := gldap.NewServer(gldap.WithLogger(glog.logger()), gldap.WithOnClose(h.identities.drop))
	if err != nil {
		return nil, nil, err
	}
	if err := srv.Router(mux); err != nil {
		return nil, nil, err
	}
	return &Server{ldap: srv, dir: h.dir, runDone: make(chan error, 1)}, glog, nil
}

// listen runs gldap and waits until it either listens or fails to.
func (s *Server) listen(addr string, glog *gldapLog) (net.Addr, error) {
	go func() { s.runDone <- s.ldap.Run(addr) }()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case bound := <-glog.bound:
		return bound, nil
	case err := <-s.runDone:
		_ = s.ldap.Stop()
		return nil, listenError(addr, err)
	case <-timer.C:
		_ = s.ldap.Stop()
		return nil, fmt.Errorf("embedded directory: listen %s: the LDAP server did not report its address", addr)
	}
}

// listenError reduces gldap's wrapped listen error to the system's own
// words, keeping the chain for errors.Is (e.g. syscall.EADDRINUSE).
func listenError(addr string, err error) error {
	if err == nil {
		err = errors.New("stopped before listening")
	}
	var sysErr *os.SyscallError
	if errors.As(err, &sysErr) {
		err = sysErr.Err
	}
	return fmt.Errorf("embedded directory: listen %s: %w", addr, err)
}

// ldapURL names the address for clients; a wildcard listener is reached
// on loopback.
func ldapURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "ldap://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "ldap://" + net.JoinHostPort(host, port)
}

// URL is the address clients dial, "ldap://127.0.0.1:<port>".
func (s *Server) URL() string { return s.url }

// Close stops serving. Changes still in flight are refused, the listener is
// closed, and Close waits up to Options.CloseTimeout for connected clients
// to disconnect. gldap gives no way to cut an idle connection short, so if
// a client keeps one open Close returns an error saying so, and that client
// is disconnected on its next request. Close is safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown() })
	return s.closeErr
}

func (s *Server) shutdown() error {
	s.dir.close()
	stopped := make(chan error, 1)
	go func() { stopped <- s.ldap.Stop() }()
	timer := time.NewTimer(s.closeTimeout)
	defer timer.Stop()
	select {
	case err := <-stopped:
		// Stop closed the listener, so Run has returned or is about to.
		if err = errors.Join(err, <-s.runDone); err != nil {
			return fmt.Errorf("embedded directory: close: %w", err)
		}
		return nil
	case <-timer.C:
		return fmt.Errorf("embedded directory: close: clients still connected after %s", s.closeTimeout)
	}
}

// openDirectory loads the directory and, when it came from the seed,
// writes the data file at once.
func openDirectory(data, seed string) (*directory, error) {
	var save func([]*entry) error
	if data != "" {
		save = fileSaver(data)
	}
	d := newDirectory(save)
	fromSeed, err := loadInitial(d, data, seed)
	if err != nil {
		return nil, fmt.Errorf("embedded directory: %w", err)
	}
	if fromSeed && save != nil {
		if err := d.saveAll(); err != nil {
			return nil, err
		}
	}
	return d, nil
}
