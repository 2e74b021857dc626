// Package proctest runs the private servers of the tests (slapd,
// redis-server) as child processes: started with their output kept for
// error messages, killed by the kernel if the test binary dies, and
// stopped and waited for exactly once.
package proctest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// outputLimit bounds the output kept: enough to explain a failed start
// without holding a chatty server's whole log.
const outputLimit = 64 << 10

// Process is a running child process.
type Process struct {
	cmd     *exec.Cmd
	output  *headBuffer
	done    chan struct{} // closed once the process has exited
	waitErr error         // cmd.Wait's result; read only after done
}

// Start runs path with args, its standard output and error kept (the
// first 64 KiB of them).
func Start(path string, args ...string) (*Process, error) {
	p := &Process{cmd: exec.Command(path, args...), output: &headBuffer{}, done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	p.cmd.SysProcAttr = childProcAttr()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", filepath.Base(path), err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output is what the process wrote so far (its beginning).
func (p *Process) Output() string { return p.output.String() }

// WaitErr is how the process exited; it blocks until it has.
func (p *Process) WaitErr() error {
	<-p.done
	return p.waitErr
}

// Kill stops the process at once and waits for it.
func (p *Process) Kill() error {
	if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", filepath.Base(p.cmd.Path), err)
	}
	<-p.done
	return nil
}

// Terminate asks the process to stop (SIGTERM), as an init system does, so
// that it can write out what it holds; after grace it is killed.
func (p *Process) Terminate(grace time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", filepath.Base(p.cmd.Path), err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		return p.Kill()
	}
}

// headBuffer keeps the first outputLimit bytes written to it. It is
// written by exec's copying goroutines and read by whoever reports an
// error; the excess is dropped rather than blocking the process.
type headBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *headBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := outputLimit - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *headBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

// Pid is the process id.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Path is the program that runs.
func (p *Process) Path() string { return p.cmd.Path }

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }
