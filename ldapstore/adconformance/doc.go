// Package adconformance runs the store conformance suites of
// ldapstore/conformance against a Samba Active Directory domain
// controller (ldapstore/adtest) with Gatehouse's schema applied in its AD
// form by schemaapply, as "gatehouse schema apply --server ad" does.
//
// It has no code of its own, only tests: a package of its own because the
// DC is shared by its tests through adtest.Main in TestMain. Every case
// runs on AD but the slow paging one (GATEHOUSE_AD_SLOW=1 runs it too);
// TestSambaLimits shows the limits of AD the stores work around.
package adconformance
