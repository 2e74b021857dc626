// Package schemaapply adds Gatehouse's LDAP schema to a running OpenLDAP
// server, or upgrades an older version of it, through cn=config: the engine
// of "gatehouse schema apply".
//
// It reads every schema entry below cn=schema,cn=config and compares the
// definitions found there with those of package schema by name, never by
// OID, so that a directory holding another server's schema under the same
// names counts as having them. Then, for each shipped set (file):
//
//   - nothing of the set is there: the set is added as a new schema entry,
//     cn=<set name>,cn=schema,cn=config, exactly as the shipped file;
//   - part of it is there: the missing attribute types and object classes
//     are added to the entry that holds the set's definitions, and object
//     classes that lack some of our MAY attributes are rewritten in place
//     with the same OID and everything else they had, plus those names;
//   - all of it is there: nothing.
//
// Definitions that exist but differ from ours in anything else (syntax,
// matching rules, OIDs, MUST) are left alone: the directory's own schema
// wins, and entries Gatehouse writes only rely on names.
//
// OpenLDAP resolves the inherited attributes of an object class when the
// class is loaded, so a subclass goes on allowing only what its superclass
// allowed at that moment. Every class below an extended one (oidcRelyingParty
// below oauthClientMetadata, say) is therefore deleted and added again with
// the same definition in the same modification, which makes it pick up the
// extension without a restart.
//
// Applying is idempotent: a second run finds everything and changes nothing.
//
// Active Directory (ADPlan, NewADPlan) is simpler and stricter: the schema
// lives as attributeSchema and classSchema objects in the schema naming
// context, changes go to the schema master only, and objects can be added
// but never removed. The AD plan adds the objects the forest lacks (by
// lDAPDisplayName), attributes first, and refreshes the schema cache
// (schemaUpdateNow) before the classes that use them.
package schemaapply
