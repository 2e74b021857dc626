package schema

// authenticatorAttributes are the attributes of a person's second factors
// and passkeys: one entry per credential below ldap.authenticators.baseDN,
// named gatehouseAuthnID=<id>, found by gatehouseAuthnSubject (the
// person's sub). They live apart from the person's own entry, which
// Gatehouse never writes.
func authenticatorAttributes() []AttributeType {
	return []AttributeType{
		exact(oid(arcAttribute, fileGatehouse, 5), "gatehouseAuthnID",
			"Identifier of an authenticator entry, its RDN"),
		exact(oid(arcAttribute, fileGatehouse, 6), "gatehouseAuthnSubject",
			"Subject sub of the person the authenticator belongs to"),
		exact(oid(arcAttribute, fileGatehouse, 7), "gatehouseAuthnType",
			"Kind of authenticator: totp, webauthn or recovery"),
		text(oid(arcAttribute, fileGatehouse, 8), "gatehouseAuthnName",
			"Name the person gave the authenticator"),
		exact(oid(arcAttribute, fileGatehouse, 9), "gatehouseAuthnSecret",
			"TOTP secret, encrypted with the AES key of the key set"),
		exact(oid(arcAttribute, fileGatehouse, 10), "gatehouseAuthnRecoveryCode",
			"Hash of an unused recovery code").multi(),
		exact(oid(arcAttribute, fileGatehouse, 11), "gatehouseAuthnCredentialID",
			"WebAuthn credential ID, base64url"),
		exact(oid(arcAttribute, fileGatehouse, 12), "gatehouseAuthnPublicKey",
			"WebAuthn credential public key in COSE form, base64url"),
		integer(oid(arcAttribute, fileGatehouse, 13), "gatehouseAuthnSignCount",
			"WebAuthn signature counter last seen"),
		exact(oid(arcAttribute, fileGatehouse, 14), "gatehouseAuthnData",
			"JSON object of further authenticator state"),
		timestamp(oid(arcAttribute, fileGatehouse, 15), "gatehouseAuthnCreated",
			"When the authenticator was enrolled"),
		timestamp(oid(arcAttribute, fileGatehouse, 16), "gatehouseAuthnLastUsed",
			"When the authenticator was last used to sign in"),
	}
}

// authenticatorClass is the structural class of an authenticator entry.
func authenticatorClass(attrs []AttributeType) ObjectClass {
	return ObjectClass{
		OID: oid(arcClass, fileGatehouse, 3), Names: []string{"gatehouseAuthenticator"},
		Desc: "A second factor or passkey of a person, kept by Gatehouse",
		Sup:  []string{"top"}, Kind: Structural,
		Must: names(attrs[:3]),
		May:  append(names(attrs[3:]), "gatehouseVersion"),
	}
}
