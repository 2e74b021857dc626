// Package conf owns Gatehouse's configuration file: it reads the YAML, rejects
// keys it does not know and values of the wrong type (naming each by its YAML
// path and line), fills in defaults for everything optional, resolves secrets
// from their explicit ...File and ...Env keys, and validates the result in one
// pass that reports every problem at once.
//
// The rest of Gatehouse receives a *Config that has passed all of this, so no
// other package re-checks or re-defaults configuration values.
//
// There is deliberately no blanket $VAR expansion: Argon2 hashes and LDAP
// passwords may contain "$". A secret comes only from a key that says where
// it lives, such as ldap.bindPasswordFile or sessions.redis.passwordEnv.
package conf
