// Package adconformance runs the store conformance suites of
// ldapstore/conformance against a Samba Active Directory domain
// controller (ldapstore/adtest) with Gatehouse's schema applied in its AD
// form by schemaapply, as "gatehouse schema apply --server ad" does.
//
// It has no code of its own, only tests: a package of its own because the
// DC is shared by its tests through adtest.Main in TestMain. Cases that
// cannot pass on AD are skipped with the reason (adSkips).
package adconformance
