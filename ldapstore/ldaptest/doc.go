// Package ldaptest runs private OpenLDAP servers for tests.
//
// It owns everything needed to go from nothing to a serving slapd on
// loopback: a fresh cn=config built with slapadd, the seed entries of the
// directory, the slapd child process, its readiness check and its teardown.
// It knows nothing of Gatehouse's own stores; those packages use it to get a
// real directory to talk to.
//
// # Lifecycle
//
// New starts a server for one test and stops it in t.Cleanup. StartSlapd
// does the same without a testing.TB, for a server shared by a whole test
// package from TestMain. Either way each server lives in its own temporary
// directory (config, database and the ldapi socket) and listens on a free
// 127.0.0.1 port, so servers never share state and may run in parallel.
//
// When slapd is not installed New skips the test and names the Debian
// packages to install (scripts/test-deps.sh installs them); with CI=true it
// fails instead, so a CI machine cannot silently skip every directory test.
//
// # The directory
//
// The suffix is dc=example,dc=org, administered by cn=admin,dc=example,dc=org
// with a random password. The base entries are the suffix and the
// organizational units people, groups, clients and authorizations, plus
// ou=policies and its default password policy when Options.PPolicy is set.
//
// Options.LDIF files are loaded with slapadd before the server starts.
// A base entry is generated only when no LDIF file already has an entry with
// its DN, so a file holding a complete tree (such as conf/dev-directory.ldif)
// can be used alone, and a file holding only people gets the rest generated.
// The generated suffix goes in before the files and the generated units after
// them, so every entry finds its parent. Files must hold content records, as
// slapcat writes them; a leading "version: 1" line is accepted.
//
// Access control of the database:
//
//	to attrs=userPassword  by self write  by anonymous auth  by * none
//	to *                   by * read
//
// so anyone may bind with a password but nobody except the entry itself
// (and the admin, which ACLs do not restrict) can read a password hash,
// while everything else stays readable, which keeps test assertions simple.
//
// # cn=config
//
// The config database can be changed in two ways: over the ldapi socket with
// SASL EXTERNAL by root or by the user running the tests (peercred ACL), as
// in "ldapadd -Y EXTERNAL -H <Slapd.LDAPI>", or by binding as Slapd.ConfigDN
// with Slapd.ConfigPassword from anywhere.
//
// # Schema
//
// Every server has the standard schemas core, cosine, nis and inetorgperson
// and then Gatehouse's own, the OpenLDAP files embedded in package schema
// (client registrations, authorizations, Gatehouse's auxiliary classes),
// with equality indexes on the attributes the stores look entries up by.
// Options.BareSchema leaves Gatehouse's schema out, for tests that add or
// upgrade it themselves.
//
// Options.Schemas files (entries of the form cn=NAME,cn=schema,cn=config)
// are included in the initial cn=config after those, so they cost no extra
// process and are in force for the seed LDIF. A schema cannot be removed
// from a running slapd; start a new server instead, which is cheap.
// Restart restarts a server on the same cn=config and database, for tests
// of changes that must survive one.
//
// For tests of outages: Pause stops the process (SIGSTOP), a hung server
// whose port still accepts connections, until Resume; Stop ends it, a dead
// server whose port refuses them, until Start brings it back on the same
// ports. Close works in either state.
//
// Subtree gives each test its own organizational unit, so tests that share
// one server need no reset between them.
package ldaptest
