package load

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssInterval is how often the sampled process's memory is read. VmHWM is
// the kernel's own high-water mark, so sampling only guards against the
// process ending before the last read.
const rssInterval = 250 * time.Millisecond

// rssSampler follows one process's peak resident memory.
type rssSampler struct {
	pid  int
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	peak int64
}

func startRSSSampler(pid int) *rssSampler {
	s := &rssSampler{pid: pid, done: make(chan struct{})}
	if pid <= 0 {
		return s
	}
	s.sample()
	s.wg.Go(func() {
		t := time.NewTicker(rssInterval)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample()
			}
		}
	})
	return s
}

// stop ends the sampling and returns the peak in bytes (0 when the
// process could never be read).
func (s *rssSampler) stop() int64 {
	close(s.done)
	s.wg.Wait()
	if s.pid > 0 {
		s.sample()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

func (s *rssSampler) sample() {
	peak, err := ReadPeakRSS(s.pid)
	if err != nil {
		return // the process has gone, or this is not Linux: keep what we saw
	}
	s.mu.Lock()
	s.peak = max(s.peak, peak)
	s.mu.Unlock()
}

// ReadPeakRSS returns a process's peak resident memory in bytes, from
// /proc/PID/status (VmHWM, or VmRSS where the kernel lacks it).
func ReadPeakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }() // read-only
	return parsePeakRSS(f)
}

// parsePeakRSS reads the larger of VmHWM and VmRSS ("VmHWM:   12345 kB").
func parsePeakRSS(r io.Reader) (int64, error) {
	var peak int64
	found := false
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmHWM" && key != "VmRSS") {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("load: unexpected %s line %q", key, sc.Text())
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("load: %s: %w", key, err)
		}
		peak, found = max(peak, kb*1024), true
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("load: no VmHWM or VmRSS in the status")
	}
	return peak, nil
}
