package rig

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/proctest"
	"github.com/gatehouse-idp/gatehouse/internal/redistest"
)

// redisStart bounds how long a redis-server may take to answer PING.
const redisStart = 10 * time.Second

// Redis is a private redis-server that, unlike redistest's, can be killed
// and started again on the same port, as a crashed server that its
// supervisor restarts: Gatehouse's configuration names one address.
type Redis struct {
	Addr string // 127.0.0.1:PORT, the same across Kill and Start
	dir  string
	bin  string
	proc *proctest.Process
}

// StartRedis starts a redis-server without persistence or password on a
// free loopback port, working in dir. Without redis-server the error
// wraps redistest.ErrNotInstalled. The caller closes it.
func StartRedis(ctx context.Context, dir string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("rig: %w", redistest.ErrNotInstalled)
	}
	r := &Redis{dir: dir, bin: bin}
	for range startAttempts {
		if r.Addr, err = freeAddr(); err != nil {
			return nil, err
		}
		if err = r.Start(ctx); err == nil {
			return r, nil
		}
	}
	return nil, err
}

// Start starts the server (again) on Addr and waits until it answers.
func (r *Redis) Start(ctx context.Context) error {
	if r.proc != nil && !r.proc.Exited() {
		return errors.New("rig: redis-server is running")
	}
	_, port, err := net.SplitHostPort(r.Addr)
	if err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	proc, err := proctest.Start(r.bin, "--bind", "127.0.0.1", "--port", port, "--save", "",
		"--appendonly", "no", "--daemonize", "no", "--dir", r.dir, "--logfile", "")
	if err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	if err := waitPong(ctx, proc, r.Addr); err != nil {
		return errors.Join(err, proc.Kill())
	}
	r.proc = proc
	return nil
}

// PID is the server's process id.
func (r *Redis) PID() int { return r.proc.Pid() }

// Kill ends the server at once (SIGKILL); its sessions are lost.
func (r *Redis) Kill() error {
	if err := r.proc.Kill(); err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	return nil
}

// Pause stops the server (SIGSTOP): connections are accepted by the
// kernel and nothing answers, until Resume.
func (r *Redis) Pause() error { return r.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (r *Redis) Resume() error { return r.signal(syscall.SIGCONT) }

func (r *Redis) signal(sig syscall.Signal) error {
	if err := r.proc.Signal(sig); err != nil {
		return fmt.Errorf("rig: redis-server %v: %w", sig, err)
	}
	return nil
}

// Close kills the server if it runs; killing a paused one works too.
func (r *Redis) Close() error {
	if r.proc == nil || r.proc.Exited() {
		return nil
	}
	return r.Kill()
}

// waitPong polls PING until +PONG, the process exits, or the start takes
// too long.
func waitPong(ctx context.Context, proc *proctest.Process, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, redisStart)
	defer cancel()
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		err := pingRedis(ctx, addr)
		if err == nil {
			return nil
		}
		select {
		case <-proc.Done():
			return fmt.Errorf("rig: redis-server exited: %v\n%s", proc.WaitErr(), proc.Output())
		case <-ctx.Done():
			return fmt.Errorf("rig: redis-server not answering at %s: %w (last: %v)", addr, ctx.Err(), err)
		case <-time.After(delay):
		}
	}
}

func pingRedis(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // a probe
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %s", strconv.Quote(line))
	}
	return nil
}
