// Command gatehouse-load puts a bounded load on a Gatehouse and prints
// what it measured: iterations, failures by class, throughput, latency
// percentiles and, given the server's PID, its peak resident memory.
//
//	gatehouse-load -target http://127.0.0.1:8080 -scenario client-credentials \
//	    -client-id ID -client-secret-file FILE -workers 50 -n 5000 -duration 60s
//	gatehouse-load -self-hosted -gatehouse bin/gatehouse -n 2000 -workers 32
//
// -rate N makes the run open-loop (N iterations scheduled per second).
// -self-hosted starts a private OpenLDAP with generated users and the
// given gatehouse binary (package internal/load/rig), registers a client
// and runs every scenario against it: what `make loadtest` does. Targets
// that are not loopback are refused unless -allow-remote is given.
//
// With -self-hosted, the scenarios limit and limit-es256 (and "all",
// which starts with limit) run client-credentials against the limit
// server (package internal/load/limit), a minimal token endpoint started
// as a child process of this same binary; every other row then shows its
// rate as a ratio of the limit's (column "× limit", JSON limit_ratio).
// That child is
//
//	gatehouse-load -serve-limit 127.0.0.1:0 -limit-alg RS256 \
//	    -client-id ID -client-secret-file FILE [-limit-addr-file FILE]
//
// which serves POST /token on a loopback address until SIGTERM or
// SIGINT, prints "gatehouse-load: limit server (RS256) on http://ADDR"
// and, with -limit-addr-file, writes ADDR to that file once listening.
//
// Exit status: 0 when every iteration succeeded, 1 when some failed or a
// scenario could not be set up, 2 for a usage error.
package main
