// Package chaos is the fault-injection suite behind `make chaos`: it
// starts two OpenLDAP servers holding the same people, a Redis, and for
// each fault a fresh `gatehouse serve`; drives it with the project's own
// load generator (internal/load) at a steady open-loop rate; and injects
// one fault at a time — a directory killed, stopped (SIGSTOP, the hung
// case), slowed or its connections cut through internal/faultproxy, all
// directories stopped, Redis killed or stopped — holds it, heals it, and
// measures the recovery.
//
// Each fault is a phase: steady load, inject, hold, heal, recover. Its
// Result counts iterations by outcome, the p99 while the fault held, and
// the time from the heal to the first second without failures. A phase
// fails the suite when any request got no answer (a timeout, reset or
// closed connection, or nothing listening), when any was answered 500,
// when the server did not recover within the recovery window, or when it
// did not stop cleanly afterwards. 503s and "try again later" pages are
// the expected answers to an outage and only counted.
//
// Why a fresh Gatehouse per fault: each phase starts from healthy
// breakers and empty pools, so a phase's figures are its own. They share
// one key set, so the client registered once stays usable.
//
// Writes are not replicated between the two directories (both are loaded
// from one LDIF, with fixed entryUUIDs): the load is client-credentials
// (client entry copied to both), code-flow-returning (the session is in
// Gatehouse, the consent is asked again on the other server and given)
// and code-flow (a sign-in by bind, which needs nothing written before).
package chaos
