package conf

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Validate checks every setting of c and returns a *ValidationError listing
// all problems found, or nil. It expects defaults to be applied already, as
// Parse does, and does not look at secrets: Parse resolves those.
func (c *Config) Validate() error {
	if problems := c.problems(); len(problems) > 0 {
		return &ValidationError{Problems: problems}
	}
	return nil
}

// check is one rule of the validation table; it reports what it finds to r
// and never stops the others, so the operator sees every problem at once.
type check func(c *Config, r *report)

// checks is the validation table, in the order of the configuration file.
func checks() []check {
	return []check{
		checkIssuer,
		checkListen,
		checkHTTP,
		checkTLS,
		checkKeys,
		checkLDAPServers,
		checkLDAPBindPassword,
		checkUsersDirectory,
		checkEmbedded,
		checkLDAPLimits,
		checkBaseDNs,
		checkAuthn,
		checkUserSearch,
		checkClaims,
		checkGroupSearch,
		checkSessions,
		checkResponseModes,
		checkResponseAlgs,
		checkCodeLifetime,
		checkPAR,
		checkProfile,
		checkAuthMethods,
		checkCertAuthMethods,
		checkTokenLifetimes,
		checkCertHeader,
		checkRegistration,
		checkDPoP,
		checkSecretCodec,
		checkLogout,
		checkDevice,
		checkJWTBearer,
		checkLog,
		checkTelemetry,
		checkDemo,
	}
}

func (c *Config) problems() []Problem {
	var r report
	for _, check := range checks() {
		check(c, &r)
	}
	return r.problems
}

// report collects problems for one validation pass.
type report struct {
	problems []Problem
}

func (r *report) add(path, format string, args ...any) {
	r.problems = append(r.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// The helpers below are the building blocks of the checks; each reports at
// most one problem for its path and returns whether the value was fine.

func (r *report) required(path, value string) bool {
	if strings.TrimSpace(value) == "" {
		r.add(path, "is required")
		return false
	}
	return true
}

func (r *report) positive(path string, d time.Duration) bool {
	if d <= 0 {
		r.add(path, "must be positive, not %s", d)
		return false
	}
	return true
}

func (r *report) oneOf(path, value string, allowed ...string) bool {
	if slices.Contains(allowed, value) {
		return true
	}
	if len(allowed) == 1 {
		r.add(path, "must be %s, not %q", allowed[0], value)
		return false
	}
	last := len(allowed) - 1
	r.add(path, "must be one of %s or %s, not %q", strings.Join(allowed[:last], ", "), allowed[last], value)
	return false
}

// subset reports each value of list that is not in allowed, and each value
// listed twice, by its index.
func (r *report) subset(path string, list, allowed []string, what string) {
	for i, v := range list {
		item := indexPath(path, i)
		switch {
		case !slices.Contains(allowed, v):
			r.add(item, "unsupported %s %q", what, v)
		case slices.Index(list, v) < i:
			r.add(item, "%q is listed twice", v)
		}
	}
}

// hostPort accepts "host:port" and ":port", with a numeric port.
func (r *report) hostPort(path, value string) bool {
	if !r.required(path, value) {
		return false
	}
	_, port, err := net.SplitHostPort(value)
	if err != nil {
		r.add(path, "must be host:port, e.g. 127.0.0.1:8080, not %q", value)
		return false
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		r.add(path, "port %q is not a number from 0 to 65535", port)
		return false
	}
	return true
}

// isLoopbackHost reports whether host (without port) is this machine:
// localhost, 127.0.0.0/8 or ::1.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func indexPath(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}
