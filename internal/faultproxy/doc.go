// Package faultproxy is a TCP proxy on loopback that misbehaves on
// demand, for the chaos suite: it adds latency to each direction, pauses
// (accepts connections and holds their bytes, as a hung server whose
// kernel still completes handshakes), and cuts every open connection
// with a reset. It exists because a directory server has no latency knob
// of its own: "the directory is slow" is made by putting this proxy
// between Gatehouse and slapd.
//
// Latency is added per chunk read, from the moment it was read, so a
// delayed stream keeps its throughput; bytes keep their order.
package faultproxy
