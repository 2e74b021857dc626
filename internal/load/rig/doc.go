// Package rig starts what a load or chaos run needs, as child processes
// on loopback: a private OpenLDAP (ldapstore/ldaptest) holding generated
// users, optionally a private redis-server (internal/redistest) for the
// sessions, and `gatehouse serve` from a built binary, with a confidential
// client registered through /clients. Every part can also be started on
// its own (StartDirectory, StartGatehouse, RegisterClient), so that the
// chaos and cluster suites can run several Gatehouses on one directory,
// restart one, or stop the directory under them, and know every PID.
package rig
