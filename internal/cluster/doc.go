// Package cluster is the end-to-end proof of a scaled-out Gatehouse,
// behind `make cluster-test` (docs/scale-out.md, "The cluster test"):
// nginx balancing three `gatehouse serve` processes, sessions in Redis
// behind Sentinel (a master, a replica, three sentinels), and two
// OpenLDAP providers in multi-provider replication. The project's load
// generator runs full code flows, client_credentials and registrations
// through nginx while, one after another, a Gatehouse is killed and
// started again, the Redis master is killed (Sentinel promotes the
// replica) and an OpenLDAP provider is killed.
//
// The run fails when a registration or a consent that Gatehouse
// confirmed is missing from the surviving directory afterwards, when any
// iteration failed outside the fault windows, or when more failed than
// the budget allows. It takes about two minutes and runs only with
// GATEHOUSE_CLUSTER=1, never in `make test`.
package cluster
