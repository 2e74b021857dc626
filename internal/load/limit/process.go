package limit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/proctest"
)

// Bounds of a limit process's life. Starting includes making the RSA key.
const (
	processStart = 20 * time.Second
	processGrace = 10 * time.Second
)

// Flags of gatehouse-load that run the limit server (see its doc).
const (
	FlagServe    = "serve-limit"
	FlagAlg      = "limit-alg"
	FlagAddrFile = "limit-addr-file"
)

// ProcessOptions describe a limit server run as a child process.
type ProcessOptions struct {
	// Exe is a gatehouse-load binary (os.Executable of the generator).
	Exe string
	// Dir holds the secret and address files.
	Dir string
	// Alg is RS256 or ES256.
	Alg string
	// ClientID and Secret are the one client.
	ClientID, Secret string
}

// Process is a running limit server.
type Process struct {
	URL  string // http://127.0.0.1:PORT
	proc *proctest.Process
}

// Start runs `Exe -serve-limit 127.0.0.1:0 ...` and returns once the
// server listens: it writes its address to a file only after binding,
// so connections made from then on are accepted.
func Start(ctx context.Context, o ProcessOptions) (*Process, error) {
	secretFile := filepath.Join(o.Dir, "limit-secret")
	addrFile := filepath.Join(o.Dir, "limit-addr")
	if err := os.WriteFile(secretFile, []byte(o.Secret), 0o600); err != nil {
		return nil, fmt.Errorf("limit: %w", err)
	}
	if err := os.Remove(addrFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("limit: %w", err)
	}
	proc, err := proctest.Start(o.Exe, "-"+FlagServe, "127.0.0.1:0", "-"+FlagAlg, o.Alg, "-"+FlagAddrFile, addrFile,
		"-client-id", o.ClientID, "-client-secret-file", secretFile)
	if err != nil {
		return nil, fmt.Errorf("limit: %w", err)
	}
	addr, err := waitAddr(ctx, proc, addrFile)
	if err != nil {
		return nil, errors.Join(err, proc.Kill())
	}
	return &Process{URL: "http://" + addr, proc: proc}, nil
}

// waitAddr polls for the address file until it appears, the process
// exits, or the start takes too long.
func waitAddr(ctx context.Context, proc *proctest.Process, path string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, processStart)
	defer cancel()
	delay := 5 * time.Millisecond
	for {
		if raw, err := os.ReadFile(path); err == nil {
			return strings.TrimSpace(string(raw)), nil
		}
		select {
		case <-proc.Done():
			return "", fmt.Errorf("limit: server exited while starting: %v\n%s", proc.WaitErr(), proc.Output())
		case <-ctx.Done():
			return "", fmt.Errorf("limit: server not listening: %w\n%s", ctx.Err(), proc.Output())
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// PID is the process id, for memory sampling.
func (p *Process) PID() int { return p.proc.Pid() }

// Stop ends the server (SIGTERM, killed after a grace) and reports an
// exit other than a clean one with its output.
func (p *Process) Stop() error {
	if p.proc.Exited() {
		return fmt.Errorf("limit: server had exited before Stop: %v\n%s", p.proc.WaitErr(), p.proc.Output())
	}
	if err := p.proc.Terminate(processGrace); err != nil {
		return fmt.Errorf("limit: %w", err)
	}
	if err := p.proc.WaitErr(); err != nil {
		return fmt.Errorf("limit: server stopped badly: %v\n%s", err, p.proc.Output())
	}
	return nil
}

// WriteAddrFile writes addr to path so that it appears whole: a reader
// polling for the file never sees half of it.
func WriteAddrFile(path, addr string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(addr+"\n"), 0o600); err != nil {
		return fmt.Errorf("limit: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("limit: %w", err)
	}
	return nil
}
