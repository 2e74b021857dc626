package ldaptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Pause stops slapd with SIGSTOP, as a hung server: the kernel still
// accepts connections on its ports, but nothing answers until Resume.
// Close works on a paused server.
func (s *Slapd) Pause() error {
	if err := s.signal(syscall.SIGSTOP); err != nil {
		return fmt.Errorf("ldaptest: pause: %w", err)
	}
	s.paused.Store(true)
	return waitStopped(s.proc.Pid())
}

// stopWait bounds how long Pause waits for every thread of slapd to stop.
const stopWait = 5 * time.Second

// waitStopped waits until every thread of process pid is stopped. kill
// returns once the signal is queued; until a thread of slapd runs to take
// it, the others keep answering, and on a loaded machine that can take a
// while. Where /proc has no task list (not Linux) it returns at once.
func waitStopped(pid int) error {
	dir := fmt.Sprintf("/proc/%d/task", pid)
	deadline := time.Now().Add(stopWait)
	for delay := 100 * time.Microsecond; ; delay = min(2*delay, 10*time.Millisecond) {
		stopped, err := allStopped(dir)
		if err != nil || stopped {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ldaptest: pause: slapd not stopped after %v", stopWait)
		}
		time.Sleep(delay)
	}
}

// allStopped reads the state of each thread in a /proc task directory:
// the field after the parenthesised command name, T when stopped.
func allStopped(dir string) (bool, error) {
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	for _, task := range tasks {
		stat, err := os.ReadFile(filepath.Join(dir, task.Name(), "stat"))
		if errors.Is(err, fs.ErrNotExist) {
			continue // the thread ended meanwhile
		}
		if err != nil {
			return false, err
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 || i+2 >= len(stat) || stat[i+2] != 'T' && stat[i+2] != 't' {
			return false, nil
		}
	}
	return true, nil
}

// Resume continues a server stopped by Pause (SIGCONT).
func (s *Slapd) Resume() error {
	if err := s.signal(syscall.SIGCONT); err != nil {
		return fmt.Errorf("ldaptest: resume: %w", err)
	}
	s.paused.Store(false)
	return nil
}

func (s *Slapd) signal(sig syscall.Signal) error {
	if s.proc == nil || s.proc.exited() {
		return errors.New("slapd is not running")
	}
	return s.proc.Signal(sig)
}

// resumeIfPaused lets a paused slapd run again, so that it can act on the
// signal that stops it.
func (s *Slapd) resumeIfPaused() error {
	if !s.paused.Load() {
		return nil
	}
	return s.Resume()
}

// Stop stops slapd cleanly but keeps its directory, as a dead server:
// connections to its ports are refused until Start. Close works on a
// stopped server. Stop must not run concurrently with other uses of s.
func (s *Slapd) Stop() error {
	if s.proc == nil {
		return errors.New("ldaptest: stop: slapd is not running")
	}
	if err := s.resumeIfPaused(); err != nil {
		return err
	}
	if s.proc.exited() {
		return fmt.Errorf("ldaptest: stop: slapd died before: %w", s.proc.exitError())
	}
	if err := s.proc.terminate(); err != nil {
		return fmt.Errorf("ldaptest: stop: %w", err)
	}
	s.proc = nil
	return nil
}

// Kill ends slapd with SIGKILL, as a crash would, but keeps its
// directory: Start brings it back on the same ports and database. Kill
// must not run concurrently with other uses of s.
func (s *Slapd) Kill() error {
	if s.proc == nil {
		return errors.New("ldaptest: kill: slapd is not running")
	}
	err := s.proc.kill()
	s.proc = nil
	s.paused.Store(false)
	if err != nil {
		return fmt.Errorf("ldaptest: kill: %w", err)
	}
	return nil
}

// Start starts a server stopped by Stop or Kill again, on the same ports (URL and
// LDAPSURL stay), configuration and database. It fails if another
// process took a port meanwhile.
func (s *Slapd) Start(ctx context.Context) error {
	if s.proc != nil {
		return errors.New("ldaptest: start: slapd is running")
	}
	port, err := portOf(s.URL)
	if err != nil {
		return err
	}
	tlsPort := 0
	if s.tls {
		if tlsPort, err = portOf(s.LDAPSURL); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tools, err := findTools()
	if err != nil {
		return err
	}
	if err := s.launchOn(ctx, tools, port, tlsPort); err != nil {
		return fmt.Errorf("ldaptest: start slapd again: %w", err)
	}
	return nil
}

func portOf(raw string) (int, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return 0, fmt.Errorf("ldaptest: %w", err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		return 0, fmt.Errorf("ldaptest: port of %s: %w", raw, err)
	}
	return port, nil
}
