// Package pairwise computes pairwise subject identifiers (OpenID Connect
// Core §8.1): a client registered with subject_type pairwise sees, for
// one person, a sub that no client of another sector sees, so that
// clients cannot correlate people by sub.
//
// A pairwise sub is HMAC-SHA-256 over the sector identifier and the
// person's own subject, under a key derived from a secret that lives as
// long as the deployment (the key set's AES key): the same person, sector
// and secret always give the same value, on every instance, with nothing
// stored. Our own access tokens carry the person's own subject sealed
// (AES-GCM under a second derived key) beside the pairwise sub, so that
// UserInfo, introspection and the other endpoints can find the person
// again without a lookup table.
package pairwise
