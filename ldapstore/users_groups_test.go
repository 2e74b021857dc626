package ldapstore_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// groupDN is the DN addGroup gives a group.
func (p *people) groupDN(cn string) string { return "cn=" + ldap.EscapeDN(cn) + "," + p.groups }

// Nested groups on OpenLDAP, which has no transitive matching rule: the
// walk finds the groups that hold the groups found, level by level.
//
//	carol ∈ team ⊂ dept ⊂ division ⊂ company
//	carol ∈ admins; loop-a ⊂ loop-b ⊂ loop-a, admins ⊂ loop-a
//	dave ∈ wide-000 … wide-119 ⊂ everyone (more DNs than one search takes)
func TestUsersNestedGroupsWalk(t *testing.T) {
	t.Parallel()
	d := openLDAPWithPeople(t, ldaptest.Options{})
	p := newPeople(t, d)
	carol := p.addUser(t, "carol", passwords["carol"])
	dave := p.addUser(t, "dave", passwords["dave"])
	p.addUser(t, "erin", "erin-pass")
	p.addGroup(t, "team", carol)
	p.addGroup(t, "dept", p.groupDN("team"))
	p.addGroup(t, "division", p.groupDN("dept"))
	p.addGroup(t, "company", p.groupDN("division"))
	p.addGroup(t, "admins", carol)
	p.addGroup(t, "loop-a", p.groupDN("admins"))
	p.addGroup(t, "loop-b", p.groupDN("loop-a"))
	addMember(t, d.conn, p.groupDN("loop-a"), p.groupDN("loop-b"))
	var wide, everyone []string
	for i := range 120 {
		cn := fmt.Sprintf("wide-%03d", i)
		p.addGroup(t, cn, dave)
		wide = append(wide, cn)
		everyone = append(everyone, p.groupDN(cn))
	}
	p.addGroup(t, "everyone", everyone...)

	walk := func(depth int) ldapstore.UsersConfig {
		cfg := p.config()
		cfg.Groups.Nested, cfg.Groups.MaxDepth = "walk", depth
		return cfg
	}
	tests := []struct {
		name     string
		cfg      ldapstore.UsersConfig
		username string
		want     []string
		cutShort bool // the walk stops at maxDepth, and says so in the log
	}{
		{name: "direct only without the walk", cfg: p.config(), username: "carol", want: []string{"admins", "team"}},
		{name: "the walk, default depth", cfg: walk(0), username: "carol",
			want: []string{"admins", "company", "dept", "division", "loop-a", "loop-b", "team"}},
		{name: "the walk, one level", cfg: walk(1), username: "carol",
			want: []string{"admins", "dept", "loop-a", "team"}, cutShort: true},
		{name: "the walk, two levels", cfg: walk(2), username: "carol",
			want: []string{"admins", "dept", "division", "loop-a", "loop-b", "team"}, cutShort: true},
		{name: "the walk over many groups", cfg: walk(0), username: "dave", want: append([]string{"everyone"}, wide...)},
		{name: "the walk for someone in no group", cfg: walk(0), username: "erin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { // not parallel: each reads the log it wrote
			logged := len(p.log.String())
			u := p.users(t, tc.cfg)
			user, outcome := login(t, u, tc.username, passwordOf(tc.username))
			if outcome != oauth.LoginOK {
				t.Fatalf("Login = %v", outcome)
			}
			got, _ := user.Claims["groups"].([]string)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("groups = %q, want %q", got, tc.want)
			}
			log := p.log.String()[logged:]
			if warned := strings.Contains(log, "maxDepth"); warned != tc.cutShort {
				t.Errorf("warned of maxDepth: %v, want %v; log:\n%s", warned, tc.cutShort, log)
			}
		})
	}
}

func passwordOf(username string) string {
	if pw, ok := passwords[username]; ok {
		return pw
	}
	return username + "-pass"
}

func addMember(t testing.TB, conn *ldap.Conn, group, member string) {
	t.Helper()
	req := ldap.NewModifyRequest(group, nil)
	req.Add("member", []string{member})
	if err := conn.Modify(req); err != nil {
		t.Fatalf("add %s to %s: %v", member, group, err)
	}
}

// On AD the profile's transitive rule finds nested groups in one search;
// the walk finds the same with a plain member filter.
func TestADGroups(t *testing.T) {
	t.Parallel()
	d := adtest.Shared(t)
	direct := adConfig(t, d)
	direct.Groups.Filter = "(member={dn})"
	walk := direct
	walk.Groups.Nested = "walk"
	tests := []struct {
		name     string
		cfg      ldapstore.UsersConfig
		username string
		want     []string
	}{
		{"transitive rule", adConfig(t, d), adtest.Alice, []string{adtest.InnerGroup, adtest.OuterGroup}},
		{"transitive rule, not nested", adConfig(t, d), adtest.Bob, []string{adtest.PlainGroup}},
		{"direct only", direct, adtest.Alice, []string{adtest.InnerGroup}},
		{"the walk", walk, adtest.Alice, []string{adtest.InnerGroup, adtest.OuterGroup}},
		{"no groups", adConfig(t, d), adtest.Meta, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := adUsers(t, d, ldapstore.PoolConfig{}, tc.cfg, nil)
			user := wantOutcome(t, u, tc.username, adtest.Password(tc.username), oauth.LoginOK)
			got, _ := user.Claims["groups"].([]string)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("groups = %q, want %q", got, tc.want)
			}
		})
	}
}
