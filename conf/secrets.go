package conf

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// resolveSecrets fills LDAP.BindPassword and Sessions.Redis.Password from the
// keys that say where they live. Problems name the key and, for a file, its
// path or, for the environment, the variable, but never the secret itself.
func resolveSecrets(c *Config) []Problem {
	var problems []Problem
	resolve := func(path string, dst *string, fetch func() (string, error)) {
		secret, err := fetch()
		if err != nil {
			problems = append(problems, Problem{Path: path, Message: err.Error()})
			return
		}
		*dst = secret
	}

	l := &c.LDAP
	switch {
	case l.BindPasswordFile != "" && l.BindPasswordEnv != "":
		// Validation reports the conflict; picking one would hide it.
	case l.BindPasswordFile != "":
		resolve("ldap.bindPasswordFile", &l.BindPassword, func() (string, error) { return secretFromFile(l.BindPasswordFile) })
	case l.BindPasswordEnv != "":
		resolve("ldap.bindPasswordEnv", &l.BindPassword, func() (string, error) { return secretFromEnv(l.BindPasswordEnv) })
	}

	u := &c.LDAP.Users
	switch {
	case u.BindPasswordFile != "" && u.BindPasswordEnv != "":
		// Validation reports the conflict.
	case u.BindPasswordFile != "":
		resolve("ldap.users.bindPasswordFile", &u.BindPassword, func() (string, error) { return secretFromFile(u.BindPasswordFile) })
	case u.BindPasswordEnv != "":
		resolve("ldap.users.bindPasswordEnv", &u.BindPassword, func() (string, error) { return secretFromEnv(u.BindPasswordEnv) })
	}

	if d := &c.Demo; d.Enabled && d.ClientSecretFile != "" {
		resolve("demo.clientSecretFile", &d.ClientSecret, func() (string, error) { return secretFromFile(d.ClientSecretFile) })
	}

	r := &c.Sessions.Redis
	switch {
	case r.PasswordFile != "" && r.PasswordEnv != "":
		// Validation reports the conflict.
	case r.PasswordFile != "":
		resolve("sessions.redis.passwordFile", &r.Password, func() (string, error) { return secretFromFile(r.PasswordFile) })
	case r.PasswordEnv != "":
		resolve("sessions.redis.passwordEnv", &r.Password, func() (string, error) { return secretFromEnv(r.PasswordEnv) })
	}
	if sn := &r.Sentinel; sn.PasswordEnv != "" {
		resolve("sessions.redis.sentinel.passwordEnv", &sn.Password, func() (string, error) { return secretFromEnv(sn.PasswordEnv) })
	}
	problems = append(problems, resolveKEK(&c.Keys.Directory)...)
	return problems
}

// secretFromFile reads a secret file. Only one trailing line break is
// removed, since editors add one; any other whitespace may be part of the
// secret. A relative path is relative to the working directory.
func secretFromFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		// The *fs.PathError repeats the path and operation; keep only its cause.
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return "", fmt.Errorf("cannot read %q: %v", path, err)
	}
	secret := string(data)
	if s, ok := strings.CutSuffix(secret, "\n"); ok {
		secret = strings.TrimSuffix(s, "\r")
	}
	if secret == "" {
		// An empty LDAP bind password is an anonymous bind, which many servers accept.
		return "", fmt.Errorf("file %q is empty", path)
	}
	return secret, nil
}

// secretFromEnv reads a secret from an environment variable that must be set
// and non-empty.
func secretFromEnv(name string) (string, error) {
	secret, ok := os.LookupEnv(name)
	switch {
	case !ok:
		return "", fmt.Errorf("environment variable %s is not set", name)
	case secret == "":
		return "", fmt.Errorf("environment variable %s is empty", name)
	}
	return secret, nil
}
