package ldapstore

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// attributeDescription is what a configured attribute may look like: a
// name or a numeric OID, with options (RFC 4512 §2.5).
var attributeDescription = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)(;[A-Za-z0-9-]+)*$`)

// typedClaims are the standard claims whose values are not strings
// (OpenID Connect Core §5.1): a directory value would reach the relying
// party as a string of the wrong type, so they cannot be mapped.
var typedClaims = []string{"email_verified", "phone_number_verified", "address", "updated_at"}

func (c UsersConfig) check() error {
	var errs []error
	if err := checkBaseDN(c.BaseDN); err != nil {
		errs = append(errs, fmt.Errorf("base DN: %w", err))
	}
	if err := checkFilter(c.Filter, usernamePlaceholder); err != nil {
		errs = append(errs, fmt.Errorf("filter: %w", err))
	}
	if !attributeDescription.MatchString(c.SubjectAttribute) {
		errs = append(errs, fmt.Errorf("subject attribute %q is not an attribute name", c.SubjectAttribute))
	}
	if c.SubjectEncoding != "" && c.SubjectEncoding != subjectEncodingGUID {
		errs = append(errs, fmt.Errorf("subject encoding %q: want empty (text) or %q", c.SubjectEncoding, subjectEncodingGUID))
	}
	for _, claim := range sortedKeys(c.Claims) {
		attr := c.Claims[claim]
		switch {
		case claim == "":
			errs = append(errs, errors.New("a claim has no name"))
		case slices.Contains(typedClaims, claim):
			errs = append(errs, fmt.Errorf("claim %s: not a string claim, so it cannot come from an attribute", claim))
		case !attributeDescription.MatchString(attr):
			errs = append(errs, fmt.Errorf("claim %s: %q is not an attribute name", claim, attr))
		}
	}
	if c.PPolicyDefaultDN != "" {
		if _, err := ldap.ParseDN(c.PPolicyDefaultDN); err != nil {
			errs = append(errs, fmt.Errorf("ppolicy default DN %q is not a DN", c.PPolicyDefaultDN))
		}
	}
	if err := c.Groups.check(c.Claims); err != nil {
		errs = append(errs, fmt.Errorf("groups: %w", err))
	}
	return errors.Join(errs...)
}

func (g GroupsConfig) check(claims map[string]string) error {
	if g == (GroupsConfig{}) {
		return nil // no groups
	}
	var errs []error
	if err := checkBaseDN(g.BaseDN); err != nil {
		errs = append(errs, fmt.Errorf("base DN: %w", err))
	}
	if err := checkFilter(g.Filter, dnPlaceholder); err != nil {
		errs = append(errs, fmt.Errorf("filter: %w", err))
	}
	if !attributeDescription.MatchString(g.NameAttribute) {
		errs = append(errs, fmt.Errorf("name attribute %q is not an attribute name", g.NameAttribute))
	}
	if _, clash := claims[g.Claim]; clash || g.Claim == "" {
		errs = append(errs, fmt.Errorf("claim %q is empty or mapped to an attribute too", g.Claim))
	}
	if g.Nested != "" && g.Nested != nestedWalk {
		errs = append(errs, fmt.Errorf("nested %q: want empty (the filter decides) or %q", g.Nested, nestedWalk))
	}
	if g.MaxDepth < 0 || g.MaxDepth > maxWalkDepth {
		errs = append(errs, fmt.Errorf("max depth %d: want 1 to %d, or 0 for %d", g.MaxDepth, maxWalkDepth, defaultWalkDepth))
	}
	return errors.Join(errs...)
}

func checkBaseDN(dn string) error {
	if dn == "" {
		return errors.New("missing")
	}
	if _, err := ldap.ParseDN(dn); err != nil {
		return fmt.Errorf("%q is not a DN", dn)
	}
	return nil
}

// checkFilter makes sure the filter names its placeholder and compiles
// once it is filled in.
func checkFilter(filter, placeholder string) error {
	if !strings.Contains(filter, placeholder) {
		return fmt.Errorf("%q does not contain %s", filter, placeholder)
	}
	if _, err := ldap.CompileFilter(strings.ReplaceAll(filter, placeholder, "x")); err != nil {
		return fmt.Errorf("%q is not a filter: %w", filter, err)
	}
	return nil
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// appendFold appends name unless list has it already in any case:
// attribute names are case-insensitive.
func appendFold(list []string, name string) []string {
	if slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, name) }) {
		return list
	}
	return append(list, name)
}
