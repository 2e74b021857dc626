// Package logout tells the clients of a browser session that it ended:
// OpenID Connect Back-Channel Logout 1.0 (a signed logout token POSTed to
// each client's backchannel_logout_uri, from a queue that outlives the
// request) and Front-Channel Logout 1.0 (the URLs the signed-out page
// loads in iframes). It also ends the refresh tokens that were issued in
// the session without offline_access (Back-Channel Logout §2.7).
//
// Sessions end at /logout, on the account page, by `gatehouse sessions
// end`, and when a sign-in evicts a person's oldest session past
// session.MaxSessionsPerSubject (SessionEvicted: back-channel only).
//
// The queue is a seam (Queue) with two implementations: Memory, for a
// single instance, and Redis, shared by every instance, each of which may
// run workers. A job is leased while it is worked on; a worker that dies
// leaves its lease to run out, and the job is taken again by whoever asks
// next, so no job is lost to a crash (at-least-once delivery).
package logout
