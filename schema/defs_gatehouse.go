package schema

// gatehouseSet holds what Gatehouse keeps beyond the 1.15 names, in
// auxiliary classes of its own, so that entries stay valid in a directory
// that only has the 1.15 schema of another server.
func gatehouseSet() Set {
	attrs := []AttributeType{
		exact(oid(arcAttribute, fileGatehouse, 1), "gatehouseVersion",
			"Opaque version token, replaced on every update: compare-and-swap"),
		exact(oid(arcAttribute, fileGatehouse, 2), "gatehousePreviousClientSecret",
			"Client secret before the last rotation, hashed or encrypted"),
		timestamp(oid(arcAttribute, fileGatehouse, 3), "gatehousePreviousClientSecretExp",
			"When the previous client secret stops being accepted"),
		exact(oid(arcAttribute, fileGatehouse, 4), "gatehouseRegistrationTokenHash",
			"Hash of the RFC 7592 registration access token"),
		exact(oid(arcAttribute, fileGatehouse, 17), "gatehouseKeySet",
			"JWK set of the provider, encrypted under a key-encryption key"),
	}
	authn := authenticatorAttributes()
	classes := []ObjectClass{
		{
			OID: oid(arcClass, fileGatehouse, 1), Names: []string{"gatehouseClient"},
			Desc: "Gatehouse state of a client registration",
			Sup:  []string{"top"}, Kind: Auxiliary,
			May: names(attrs[:4]),
		},
		{
			OID: oid(arcClass, fileGatehouse, 2), Names: []string{"gatehouseAuthz"},
			Desc: "Gatehouse state of an authorization",
			Sup:  []string{"top"}, Kind: Auxiliary,
			May: names(attrs[:1]),
		},
		authenticatorClass(authn),
		{
			OID: oid(arcClass, fileGatehouse, 4), Names: []string{"gatehouseKeyStore"},
			Desc: "Signing keys of the provider, shared by all instances",
			Sup:  []string{"top"}, Kind: Auxiliary,
			May: []string{"gatehouseKeySet"},
		},
	}
	return Set{
		Name:       "gatehouse",
		Kind:       KindAll,
		Title:      "Gatehouse additions to the 1.15 schema, as auxiliary classes",
		Attributes: append(attrs, authn...),
		Classes:    classes,
	}
}
