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
// Exit status: 0 when every iteration succeeded, 1 when some failed or a
// scenario could not be set up, 2 for a usage error.
package main
