//go:build !linux

package sdnotify

import "errors"

// monotonicUsec has no meaning without systemd; Reload then sends
// RELOADING=1 alone.
func monotonicUsec() (int64, error) {
	return 0, errors.New("sdnotify: CLOCK_MONOTONIC is read on Linux only")
}
