// Package conformance holds the tests every client store must pass,
// whatever directory it runs against: round trips that change nothing,
// absent and empty kept apart, updates that touch only what they change,
// compare-and-swap under concurrency, paging, escaping, entries written by
// other servers, and entries that cannot be read.
//
// A store's own tests call RunClientStoreTests with a function that gives
// each test a fresh, empty store and a connection to the directory behind
// it, for writing entries the store itself would never write.
package conformance
