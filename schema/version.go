package schema

// Version is the version of the shipped LDAP schema. It keeps the attribute
// and object class names of the 1.15 schema so that directories written for
// it are served as they are.
const Version = "1.15"
