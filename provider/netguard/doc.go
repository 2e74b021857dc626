// Package netguard keeps the server's own outgoing requests made on a
// client's behalf away from the server's own network (server-side
// request forgery). A client registered openly names URLs the server
// then fetches or POSTs to (backchannel_logout_uri, jwks_uri,
// request_uri, sector_identifier_uri); checking the host name at
// registration is not enough, as a public name may resolve, or later
// be made to resolve (DNS rebinding), to 127.0.0.1 or 169.254.169.254.
//
// So the check is made where the connection is made: the Control hook
// of a net.Dialer sees the address actually dialled, after resolution,
// and refuses any that is not a public unicast address. The guarded
// transport has its own connection pool and uses no proxy (a proxy
// would be the address dialled, and the guard would say nothing of the
// target); docs/ssrf.md says so.
//
// Which requests are guarded is the caller's choice: WithPublicOnly
// marks a context whose fetches must take the guarded client.
package netguard
