package schema

// authzSet is the schema of long-lived authorizations: what a subject
// consented to for a client, and the refresh token that goes with it. One
// entry per subject and client, named authzSubject=<sub>+authzClientID=<id>
// below the authorizations base DN.
func authzSet() Set {
	oauth := []AttributeType{
		exact(oid(arcAttribute, fileAuthz, 1), "authzSubject",
			"Subject: end-user identifier of the authorization"),
		exact(oid(arcAttribute, fileAuthz, 2), "authzClientID",
			"Client identifier of the authorization"),
		exact(oid(arcAttribute, fileAuthz, 3), "authzScopeValue",
			"Scope value granted").multi(),
		exact(oid(arcAttribute, fileAuthz, 4), "authzSavedScopeValue",
			"Scope value the subject chose to remember consent for").multi(),
		timestamp(oid(arcAttribute, fileAuthz, 5), "authzIssueDate",
			"When the authorization was first granted"),
		timestamp(oid(arcAttribute, fileAuthz, 6), "authzUpdateDate",
			"When the authorization was last changed"),
		exact(oid(arcAttribute, fileAuthz, 7), "authzRefreshToken",
			"Refresh token key; never the token itself"),
		timestamp(oid(arcAttribute, fileAuthz, 8), "authzRefreshTokenIssueDate",
			"When the current refresh token was issued"),
		integer(oid(arcAttribute, fileAuthz, 9), "authzRefreshTokenLifetime",
			"Refresh token lifetime in seconds; 0 means no expiry"),
		integer(oid(arcAttribute, fileAuthz, 10), "authzAccessTokenLifetime",
			"Access token lifetime in seconds for this authorization"),
		uri(oid(arcAttribute, fileAuthz, 11), "authzIssuer",
			"Issuer that granted the authorization"),
		exact(oid(arcAttribute, fileAuthz, 12), "authzAudience",
			"Audience of the access tokens").multi(),
		exact(oid(arcAttribute, fileAuthz, 13), "authzData",
			"JSON object of further authorization data"),
		timestamp(oid(arcAttribute, fileAuthz, 14), "authzLastAccessDate",
			"When the authorization was last used"),
	}
	oidc := []AttributeType{
		exact(oid(arcAttribute, fileAuthz, 15), "oidcClaimName",
			"OpenID Connect claim name granted").multi(),
		exact(oid(arcAttribute, fileAuthz, 16), "oidcSavedClaimName",
			"Claim name the subject chose to remember consent for").multi(),
		exact(oid(arcAttribute, fileAuthz, 17), "oidcSessionID",
			"OpenID Connect session identifier: sid"),
	}
	classes := []ObjectClass{
		{
			OID: oid(arcClass, fileAuthz, 1), Names: []string{"oauth2Authz"},
			Desc: "Long-lived OAuth 2.0 authorization of a client by a subject",
			Sup:  []string{"top"}, Kind: Structural,
			Must: names(oauth[:2]),
			May:  names(oauth[2:]),
		},
		{
			OID: oid(arcClass, fileAuthz, 2), Names: []string{"oidcAuthz"},
			Desc: "Long-lived OpenID Connect authorization",
			Sup:  []string{"oauth2Authz"}, Kind: Structural,
			May: names(oidc),
		},
	}
	return Set{
		Name:       "oauth-authz",
		Kind:       KindAuthz,
		Title:      "long-lived OAuth 2.0 / OpenID Connect authorizations",
		Attributes: append(oauth, oidc...),
		Classes:    classes,
	}
}
