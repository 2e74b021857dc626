package load

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckTarget refuses a target that is not on this machine unless remote
// targets are allowed: a load generator pointed at someone else's server
// by a typo is an attack. The host must be "localhost" or a loopback IP
// literal; other names are refused without being resolved.
func CheckTarget(target string, allowRemote bool) error {
	u, err := url.Parse(target)
	if err != nil {
		return fmt.Errorf("target %q: %w", target, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("target %q: want an http:// or https:// URL", target)
	}
	if allowRemote || isLoopback(u.Hostname()) {
		return nil
	}
	return fmt.Errorf("target %q is not a loopback address; pass -allow-remote to load it anyway", target)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
