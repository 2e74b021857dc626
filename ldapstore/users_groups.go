package ldapstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// nestedWalk is GroupsConfig.Nested for directories without a transitive
// membership rule: the groups that hold the groups found are searched for
// level by level.
const nestedWalk = "walk"

// Bounds of the walk. defaultWalkDepth levels of groups inside groups are
// more than directories use in practice; maxWalkDepth is the most that may
// be configured. walkWidth bounds the DNs OR'ed into one search, so that
// a person in hundreds of groups gives several filters of a few KiB rather
// than one the server refuses.
const (
	defaultWalkDepth = 8
	maxWalkDepth     = 64
	walkWidth        = 50
)

// groups returns the names of the groups the person with the given DN is
// in, sorted and each once; with Nested "walk", also the groups those
// groups are in, and so on. All searches run on one pooled connection. A
// group without a name value is left out.
func (u *Users) groups(ctx context.Context, dn string) ([]string, error) {
	g := u.cfg.Groups
	var entries []*ldap.Entry
	err := u.pool.DoIdempotentOp(ctx, OpSearch, func(conn *ldap.Conn) error {
		var err error
		entries, err = u.findGroups(conn, dn)
		return err
	})
	if err := classify(err, opSearch); err != nil {
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			return nil, fmt.Errorf("the groups base DN %s does not exist: %w", g.BaseDN, err)
		}
		return nil, fmt.Errorf("groups of %q: %w", dn, err)
	}
	var names []string
	for _, e := range entries {
		values := e.GetEqualFoldAttributeValues(g.NameAttribute)
		if len(values) > 0 && utf8.ValidString(values[0]) {
			names = append(names, values[0])
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// findGroups searches for the groups of dn: those the configured filter
// finds, then, with the walk, their parents.
func (u *Users) findGroups(conn *ldap.Conn, dn string) ([]*ldap.Entry, error) {
	direct, err := u.searchGroups(conn, []string{dn})
	if err != nil || u.cfg.Groups.Nested != nestedWalk {
		return direct, err
	}
	return u.walkGroups(conn, dn, direct)
}

// walkGroups adds to the groups found those that hold any of them as a
// member, level by level, up to MaxDepth levels. Each group is searched
// for once, by its DN as the directory returned it (compared without
// case), so a cycle of groups ends the walk instead of repeating it.
func (u *Users) walkGroups(conn *ldap.Conn, dn string, direct []*ldap.Entry) ([]*ldap.Entry, error) {
	seen := make(map[string]bool)
	var all []*ldap.Entry
	add := func(entries []*ldap.Entry) (added []string) {
		for _, e := range entries {
			if key := strings.ToLower(e.DN); !seen[key] {
				seen[key] = true
				all = append(all, e)
				added = append(added, e.DN)
			}
		}
		return added
	}
	depth := u.cfg.Groups.MaxDepth
	if depth == 0 {
		depth = defaultWalkDepth
	}
	frontier := add(direct)
	for level := 0; len(frontier) > 0; level++ {
		if level == depth {
			u.log.Warn("groups may be nested deeper than ldap.users.groups.maxDepth; the deeper ones are left out",
				"dn", dn, "maxDepth", depth)
			break
		}
		var next []string
		for chunk := range slices.Chunk(frontier, walkWidth) {
			parents, err := u.searchGroups(conn, chunk)
			if err != nil {
				return nil, err
			}
			next = append(next, add(parents)...)
		}
		frontier = next
	}
	return all, nil
}

// searchGroups finds the groups that have any of members as a member, by
// the configured filter — OR'ed, one copy per member — in one paged
// search.
func (u *Users) searchGroups(conn *ldap.Conn, members []string) ([]*ldap.Entry, error) {
	g := u.cfg.Groups
	req := ldap.NewSearchRequest(g.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
		0, 0, false, u.groupFilter(members), []string{g.NameAttribute}, nil)
	res, err := conn.SearchWithPaging(req, pageSize)
	if res == nil {
		return nil, err
	}
	return res.Entries, err
}

// groupFilter is the configured filter for each member DN, OR'ed: the
// one place where a DN is escaped for a group filter (RFC 4515 §3).
func (u *Users) groupFilter(members []string) string {
	if len(members) == 1 {
		return strings.ReplaceAll(u.cfg.Groups.Filter, dnPlaceholder, ldap.EscapeFilter(members[0]))
	}
	var b strings.Builder
	b.WriteString("(|")
	for _, m := range members {
		b.WriteString(strings.ReplaceAll(u.cfg.Groups.Filter, dnPlaceholder, ldap.EscapeFilter(m)))
	}
	b.WriteString(")")
	return b.String()
}
