package ldapstore_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

// directorySeam is the Directory of docs/browser-flow.md, which the
// browser flow declares where it uses it.
type directorySeam interface {
	Login(ctx context.Context, username, password string) (oauth.User, oauth.LoginOutcome, error)
	Lookup(ctx context.Context, subject string) (oauth.User, error)
}

var _ directorySeam = (*ldapstore.Users)(nil)

// population is the set of people and groups each users test starts from.
type population struct {
	*people
	carol, muller, odd string // DNs
}

// Login names and passwords of the population.
var passwords = map[string]string{
	"carol":    "carol pass 1",
	"müller":   "müller-pässword",
	"a*b":      "star-pass",
	"x)(uid=*": "paren-pass",
	`\`:        "backslash-pass",
	"dave":     "dave-pass",
	"dup1":     "dup-pass",
	"dup2":     "dup-pass",
}

func populate(t testing.TB, d directory) *population {
	t.Helper()
	p := &population{people: newPeople(t, d)}
	p.carol = p.addUser(t, "carol", passwords["carol"],
		[2]string{"cn", "Carol Example"}, [2]string{"givenName", "Carol"}, [2]string{"sn", "Example"},
		[2]string{"mail", "carol@example.org"}, [2]string{"mail", "carol.example@example.org"},
		[2]string{"telephoneNumber", "+49 30 1"}, [2]string{"telephoneNumber", "+49 30 2"})
	p.muller = p.addUser(t, "müller", passwords["müller"],
		[2]string{"cn", "Jürgen Müller"}, [2]string{"sn", "Müller"}, [2]string{"mail", "mueller@example.org"})
	p.addUser(t, "a*b", passwords["a*b"])
	p.odd = p.addUser(t, "x)(uid=*", passwords["x)(uid=*"])
	p.addUser(t, `\`, passwords[`\`])
	p.addUser(t, "dave", passwords["dave"])
	p.addUser(t, "dup1", passwords["dup1"], [2]string{"mail", "shared@example.org"})
	p.addUser(t, "dup2", passwords["dup2"], [2]string{"mail", "shared@example.org"})
	p.addUser(t, "nopass", "") // no userPassword at all
	p.addGroup(t, "staff", p.carol, p.muller, p.odd)
	p.addGroup(t, "admins", p.carol)
	p.addGroup(t, `R&D, "core" +1`, p.odd)
	return p
}

func TestUsersOpenLDAP(t *testing.T) {
	t.Parallel()
	runUsersTests(t, openLDAPWithPeople(t, ldaptest.Options{}))
}

func TestUsersEmbedded(t *testing.T) {
	t.Parallel()
	runUsersTests(t, embeddedWithPeople(t))
}

// runUsersTests runs what every directory must do the same way.
func runUsersTests(t *testing.T, d directory) {
	tests := []struct {
		name string
		run  func(t *testing.T, d directory)
	}{
		{"RightPassword", testRightPassword},
		{"WrongPasswordAndUnknownUserLookTheSame", testWrongPasswordUnknownUser},
		{"EmptyCredentialsRefused", testEmptyCredentials},
		{"SpecialLoginNames", testSpecialLoginNames},
		{"InjectionFindsNothing", testInjection},
		{"AmbiguousLoginNameRefused", testAmbiguous},
		{"LoginByMail", testLoginByMail},
		{"ClaimsAndGroups", testClaimsAndGroups},
		{"Lookup", testLookup},
		{"LookupUnknown", testLookupUnknown},
		{"MissingSubjectIsAnError", testMissingSubject},
		{"MissingBaseDNIsAnError", testMissingBaseDN},
		{"ServiceConnectionKeepsItsIdentity", testServiceIdentityKept},
		{"DevDirectory", testDevDirectory},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, d)
		})
	}
}

// login logs in and fails the test on an error.
func login(t *testing.T, u *ldapstore.Users, username, password string) (oauth.User, oauth.LoginOutcome) {
	t.Helper()
	user, outcome, err := u.Login(t.Context(), username, password)
	if err != nil {
		t.Fatalf("Login(%q): %v", username, err)
	}
	if outcome != oauth.LoginOK && !reflect.DeepEqual(user, oauth.User{}) {
		t.Errorf("Login(%q) refused with %v but returned a user %+v", username, outcome, user)
	}
	return user, outcome
}

func wantOutcome(t *testing.T, u *ldapstore.Users, username, password string, want oauth.LoginOutcome) oauth.User {
	t.Helper()
	user, got := login(t, u, username, password)
	if got != want {
		t.Errorf("Login(%q) = %v, want %v", username, got, want)
	}
	return user
}

func testRightPassword(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	user := wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	if user.DN != p.carol || user.Username != "carol" {
		t.Errorf("user = %+v, want DN %s and username carol", user, p.carol)
	}
	if want := entryUUID(t, d.conn, p.carol); user.Subject != want {
		t.Errorf("subject = %q, want the entryUUID %q", user.Subject, want)
	}
}

func testWrongPasswordUnknownUser(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	for _, tc := range []struct{ name, username, password string }{
		{name: "wrong password", username: "carol", password: "carol pass 2"},
		{name: "another user's password", username: "carol", password: passwords["dave"]},
		{name: "password in another case", username: "carol", password: strings.ToUpper(passwords["carol"])},
		{name: "unknown user", username: "nobody", password: passwords["carol"]},
		{name: "unknown user, no such password", username: "nobody", password: "whatever"},
		{name: "user without a password", username: "nopass", password: "whatever"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user, outcome, err := u.Login(t.Context(), tc.username, tc.password)
			if err != nil || outcome != oauth.LoginInvalid || !reflect.DeepEqual(user, oauth.User{}) {
				t.Errorf("Login = %+v, %v, %v; want a zero user, LoginInvalid and no error", user, outcome, err)
			}
		})
	}
}

func testEmptyCredentials(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	for _, tc := range []struct{ username, password string }{
		{"carol", ""},
		{"", passwords["carol"]},
		{"", ""},
		{strings.Repeat("a", 2000), "x"},
		{"carol\xff", passwords["carol"]},
	} {
		wantOutcome(t, u, tc.username, tc.password, oauth.LoginInvalid)
	}
}

// An empty password is refused before anything is sent: with a directory
// that does not answer at all, Login still says LoginInvalid without an
// error, where any search or bind would have been ErrUnavailable.
func TestUsersEmptyPasswordSendsNothing(t *testing.T) {
	t.Parallel()
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{closedLDAPURL(t)}, Timeout: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	u, err := ldapstore.NewUsers(pool, (&people{base: "ou=people," + suffix, groups: "ou=groups," + suffix}).config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	for _, tc := range []struct{ username, password string }{{"carol", ""}, {"", "x"}, {"", ""}} {
		user, outcome, err := u.Login(t.Context(), tc.username, tc.password)
		if err != nil || outcome != oauth.LoginInvalid || user.Subject != "" {
			t.Errorf("Login(%q, %q) = %v, %v; want LoginInvalid with nothing sent", tc.username, tc.password, outcome, err)
		}
	}
	// The same store does reach for the directory when there is a password.
	_, outcome, err := u.Login(t.Context(), "carol", "x")
	wantUnavailable(t, "Login with a password", err)
	if outcome != oauth.LoginInvalid {
		t.Errorf("an outage came with %v, want LoginInvalid", outcome)
	}
	_, err = u.Lookup(t.Context(), "5f0c8a56-3d6e-4c52-9a0e-2b7d1e4f6a01")
	wantUnavailable(t, "Lookup", err)
}

func testSpecialLoginNames(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	for _, name := range []string{"müller", "a*b", "x)(uid=*", `\`} {
		t.Run(name, func(t *testing.T) {
			user := wantOutcome(t, u, name, passwords[name], oauth.LoginOK)
			if user.Claims["preferred_username"] != name {
				t.Errorf("logged in as %v, want %q", user.Claims["preferred_username"], name)
			}
		})
	}
}

// Login names are values, never patterns or filter text: each probe, with
// any password of the population, finds nobody.
func testInjection(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	probes := []string{
		"*", "a*", "*b", "c*", "müll*", "*)(uid=*", "x)(uid=*)(uid=carol", "carol)(|(uid=*",
		"*)(uid=*))(|(uid=*", "carol)(objectClass=*", `a\2ab`, `\2a`, `\5c`, `\\`, "x)(uid=",
		"(uid=carol)", "carol\x00",
	}
	for _, probe := range probes {
		for name, password := range passwords {
			user, outcome, err := u.Login(t.Context(), probe, password)
			if err != nil || outcome != oauth.LoginInvalid {
				t.Errorf("Login(%q) with %s's password = %v (%v), user %v; want LoginInvalid",
					probe, name, outcome, err, user.Claims["preferred_username"])
			}
		}
	}
}

func testAmbiguous(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	wantOutcome(t, u, "shared@example.org", passwords["dup1"], oauth.LoginInvalid)
	logged := p.log.String()
	if !strings.Contains(logged, "more than one entry") || !strings.Contains(logged, "uid=dup1") ||
		!strings.Contains(logged, "uid=dup2") {
		t.Errorf("no warning naming both entries was logged:\n%s", logged)
	}
	// Each is still found by its own uid.
	wantOutcome(t, u, "dup1", passwords["dup1"], oauth.LoginOK)
	// Three matches exceed the search's size limit of two: still refused,
	// not an error.
	p.addUser(t, "dup3", passwords["dup1"], [2]string{"mail", "shared@example.org"})
	wantOutcome(t, u, "shared@example.org", passwords["dup1"], oauth.LoginInvalid)
}

func testLoginByMail(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	byUID := wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	for _, mail := range []string{"carol@example.org", "carol.example@example.org"} {
		byMail := wantOutcome(t, u, mail, passwords["carol"], oauth.LoginOK)
		if byMail.Subject != byUID.Subject || byMail.Username != mail {
			t.Errorf("by mail: subject %q username %q; want %q and the name typed", byMail.Subject, byMail.Username, byUID.Subject)
		}
	}
	wantOutcome(t, u, "mueller@example.org", passwords["müller"], oauth.LoginOK)
	wantOutcome(t, u, "mueller@example.org", passwords["carol"], oauth.LoginInvalid)
}

func testClaimsAndGroups(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	tests := []struct {
		username string
		want     map[string]any
	}{
		{username: "carol", want: map[string]any{
			"preferred_username": "carol",
			"name":               "Carol Example",
			"given_name":         "Carol",
			"family_name":        "Example",
			"email":              "carol@example.org", // a standard string claim: one value
			"phone_numbers":      []string{"+49 30 1", "+49 30 2"},
			"groups":             []string{"admins", "staff"},
		}},
		{username: "müller", want: map[string]any{
			"preferred_username": "müller", "name": "Jürgen Müller", "family_name": "Müller",
			"email": "mueller@example.org", "groups": []string{"staff"},
		}},
		{username: "x)(uid=*", want: map[string]any{ // a DN that needs escaping in the group filter
			"preferred_username": "x)(uid=*", "name": "x)(uid=*", "family_name": "x)(uid=*",
			"groups": []string{`R&D, "core" +1`, "staff"},
		}},
		{username: "dave", want: map[string]any{ // no groups, no mail: no claims for them
			"preferred_username": "dave", "name": "dave", "family_name": "dave",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.username, func(t *testing.T) {
			user := wantOutcome(t, u, tc.username, passwords[tc.username], oauth.LoginOK)
			if !reflect.DeepEqual(user.Claims, tc.want) {
				t.Errorf("claims:\n got %#v\nwant %#v", user.Claims, tc.want)
			}
		})
	}

	t.Run("without groups configured", func(t *testing.T) {
		cfg := p.config()
		cfg.Groups = ldapstore.GroupsConfig{}
		user := wantOutcome(t, p.users(t, cfg), "carol", passwords["carol"], oauth.LoginOK)
		if _, ok := user.Claims["groups"]; ok || len(user.Claims) != 6 {
			t.Errorf("claims = %v, want the six mapped ones and no groups", user.Claims)
		}
	})
}

func testLookup(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	for _, name := range []string{"carol", "müller", "x)(uid=*"} {
		t.Run(name, func(t *testing.T) {
			loggedIn := wantOutcome(t, u, name, passwords[name], oauth.LoginOK)
			got, err := u.Lookup(t.Context(), loggedIn.Subject)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, loggedIn) {
				t.Errorf("Lookup:\n got %+v\nwant %+v", got, loggedIn)
			}
		})
	}

	t.Run("claims are read afresh", func(t *testing.T) {
		user := wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
		req := ldap.NewModifyRequest(p.carol, nil)
		req.Replace("cn", []string{"Carol Renamed"})
		req.Add("mail", []string{"third@example.org"})
		if err := d.conn.Modify(req); err != nil {
			t.Fatal(err)
		}
		p.addGroup(t, "late", p.carol)
		got, err := u.Lookup(t.Context(), user.Subject)
		if err != nil {
			t.Fatal(err)
		}
		if got.Claims["name"] != "Carol Renamed" || !reflect.DeepEqual(got.Claims["groups"], []string{"admins", "late", "staff"}) {
			t.Errorf("Lookup claims %v, want the new name and groups", got.Claims)
		}
	})
}

func testLookupUnknown(t *testing.T, d directory) {
	p := populate(t, d)
	u := p.users(t, p.config())
	carol := entryUUID(t, d.conn, p.carol)
	for _, subject := range []string{
		"00000000-0000-4000-8000-000000000000", "not-a-uuid", "", "*", carol[:8] + "*",
		strings.ToUpper(carol), " " + carol, "\xff",
	} {
		if _, err := u.Lookup(t.Context(), subject); !errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Lookup(%q) = %v, want ErrNotFound", subject, err)
		}
	}
	// Someone outside the base DN is nobody to this store.
	outside := newPeople(t, d)
	dn := outside.addUser(t, "eve", "eve-pass")
	if _, err := u.Lookup(t.Context(), entryUUID(t, d.conn, dn)); !errors.Is(err, ldapstore.ErrNotFound) {
		t.Errorf("Lookup of a user outside the base DN = %v, want ErrNotFound", err)
	}
}

// A subject attribute the entry lacks is a misconfiguration: an error,
// logged with the DN. It shows only once the password is right, so it
// tells a guesser nothing.
func testMissingSubject(t *testing.T, d directory) {
	p := populate(t, d)
	cfg := p.config()
	cfg.SubjectAttribute = "employeeNumber"
	u := p.users(t, cfg)
	wantOutcome(t, u, "carol", "wrong", oauth.LoginInvalid)
	user, outcome, err := u.Login(t.Context(), "carol", passwords["carol"])
	if err == nil || errors.Is(err, ldapstore.ErrUnavailable) || outcome != oauth.LoginInvalid || user.Subject != "" {
		t.Errorf("Login = %v, %v; want a configuration error with LoginInvalid", outcome, err)
	}
	if logged := p.log.String(); !strings.Contains(logged, p.carol) || !strings.Contains(logged, "employeeNumber") {
		t.Errorf("the log does not name the entry and attribute:\n%s", logged)
	}
}

func testMissingBaseDN(t *testing.T, d directory) {
	p := populate(t, d)
	t.Run("users", func(t *testing.T) {
		cfg := p.config()
		cfg.BaseDN = "ou=absent," + suffix
		u := p.users(t, cfg)
		if _, outcome, err := u.Login(t.Context(), "carol", passwords["carol"]); err == nil ||
			errors.Is(err, ldapstore.ErrNotFound) || outcome != oauth.LoginInvalid {
			t.Errorf("Login = %v, %v; want an error that is not ErrNotFound", outcome, err)
		}
		if _, err := u.Lookup(t.Context(), entryUUID(t, d.conn, p.carol)); err == nil || errors.Is(err, ldapstore.ErrNotFound) {
			t.Errorf("Lookup = %v; want an error that is not ErrNotFound", err)
		}
	})
	t.Run("groups", func(t *testing.T) {
		cfg := p.config()
		cfg.Groups.BaseDN = "ou=absent," + suffix
		u := p.users(t, cfg)
		if _, outcome, err := u.Login(t.Context(), "carol", passwords["carol"]); err == nil || outcome != oauth.LoginInvalid {
			t.Errorf("Login = %v, %v; want an error", outcome, err)
		}
	})
}

// People's binds never happen on the service account's connections: with
// a pool of one, the connection that searched for carol still writes as
// the admin after she logged in.
func testServiceIdentityKept(t *testing.T, d directory) {
	p := populate(t, d)
	pool := d.pool(t, 1)
	u, err := ldapstore.NewUsers(pool, p.config())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	clients, err := ldapstore.NewClients(pool, ldaptest.Subtree(t, d.conn, clientsDN))
	if err != nil {
		t.Fatal(err)
	}
	for i, username := range []string{"carol", "dave"} {
		if _, outcome, err := u.Login(t.Context(), username, passwords[username]); err != nil || outcome != oauth.LoginOK {
			t.Fatalf("Login(%s) = %v, %v", username, outcome, err)
		}
		if _, err := clients.Create(t.Context(), oauth.Client{ID: "after-login-" + string(rune('a'+i))}); err != nil {
			t.Fatalf("a write after %s logged in failed: %v", username, err)
		}
	}
}

// The dev tree with the configuration of conf/gatehouse.yaml: what
// `make run` users see.
func testDevDirectory(t *testing.T, d directory) {
	p := &people{dir: d, base: "ou=people," + suffix, groups: "ou=groups," + suffix, log: &logBuffer{}}
	cfg := p.config()
	delete(cfg.Claims, "phone_numbers")
	u := p.users(t, cfg)
	alice := wantOutcome(t, u, "alice", "alice-password", oauth.LoginOK)
	want := oauth.User{
		Subject:  "5f0c8a56-3d6e-4c52-9a0e-2b7d1e4f6a01",
		DN:       "uid=alice,ou=people,dc=example,dc=org",
		Username: "alice",
		Claims: map[string]any{
			"preferred_username": "alice", "name": "Alice Liddell", "given_name": "Alice",
			"family_name": "Liddell", "email": "alice@example.org", "groups": []string{"admins", "staff"},
		},
	}
	if !reflect.DeepEqual(alice, want) {
		t.Errorf("alice:\n got %+v\nwant %+v", alice, want)
	}
	bob := wantOutcome(t, u, "bob@example.org", "bob-password", oauth.LoginOK)
	if bob.Subject != "9b3e2f4d-7a1c-4e8b-b5d6-0c2a4f8e1b02" || !reflect.DeepEqual(bob.Claims["groups"], []string{"staff"}) {
		t.Errorf("bob = %+v", bob)
	}
	wantOutcome(t, u, "alice", "bob-password", oauth.LoginInvalid)
}

// A directory that goes away is an outage, for Login as for Lookup, and
// never LoginInvalid without an error.
func TestUsersDirectoryGoesAway(t *testing.T) {
	t.Parallel()
	s := ldaptest.New(t, ldaptest.Options{})
	d := directory{url: s.URL, bindDN: s.AdminDN, password: s.AdminPassword, conn: s.Conn(t)}
	p := newPeople(t, d)
	p.addUser(t, "carol", passwords["carol"])
	u := p.users(t, p.config())
	user := wantOutcome(t, u, "carol", passwords["carol"], oauth.LoginOK)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, outcome, err := u.Login(t.Context(), "carol", passwords["carol"])
	wantUnavailable(t, "Login", err)
	if outcome != oauth.LoginInvalid {
		t.Errorf("outcome %v with an outage, want LoginInvalid", outcome)
	}
	_, err = u.Lookup(t.Context(), user.Subject)
	wantUnavailable(t, "Lookup", err)
}

// The caller's deadline bounds the whole login.
func TestUsersHonourContext(t *testing.T) {
	t.Parallel()
	d := embeddedWithPeople(t)
	p := newPeople(t, d)
	u := p.users(t, p.config())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := u.Login(ctx, "alice", "alice-password")
	wantUnavailable(t, "Login with a cancelled context", err)
}

func TestNewUsersRefusesBadConfig(t *testing.T) {
	pool, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{"ldap://127.0.0.1:1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	good := (&people{base: "ou=people," + suffix, groups: "ou=groups," + suffix}).config()
	tests := []struct {
		name   string
		change func(c *ldapstore.UsersConfig)
	}{
		{"no base DN", func(c *ldapstore.UsersConfig) { c.BaseDN = "" }},
		{"base DN not a DN", func(c *ldapstore.UsersConfig) { c.BaseDN = "people" }},
		{"filter without placeholder", func(c *ldapstore.UsersConfig) { c.Filter = "(uid=alice)" }},
		{"filter that does not compile", func(c *ldapstore.UsersConfig) { c.Filter = "(uid={username}" }},
		{"no subject attribute", func(c *ldapstore.UsersConfig) { c.SubjectAttribute = "" }},
		{"subject attribute not a name", func(c *ldapstore.UsersConfig) { c.SubjectAttribute = "entry UUID" }},
		{"claim without attribute", func(c *ldapstore.UsersConfig) { c.Claims["nickname"] = "" }},
		{"claim without name", func(c *ldapstore.UsersConfig) { c.Claims[""] = "cn" }},
		{"boolean claim", func(c *ldapstore.UsersConfig) { c.Claims["email_verified"] = "emailVerified" }},
		{"groups without filter", func(c *ldapstore.UsersConfig) { c.Groups.Filter = "" }},
		{"groups filter without {dn}", func(c *ldapstore.UsersConfig) { c.Groups.Filter = "(member={username})" }},
		{"groups without name attribute", func(c *ldapstore.UsersConfig) { c.Groups.NameAttribute = "" }},
		{"groups claim mapped too", func(c *ldapstore.UsersConfig) { c.Groups.Claim = "name" }},
		{"groups base DN not a DN", func(c *ldapstore.UsersConfig) { c.Groups.BaseDN = "groups" }},
	}
	if _, err := ldapstore.NewUsers(pool, good); err != nil {
		t.Fatalf("the good configuration: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := (&people{base: "ou=people," + suffix, groups: "ou=groups," + suffix}).config()
			tc.change(&cfg)
			if _, err := ldapstore.NewUsers(pool, cfg); err == nil {
				t.Error("NewUsers accepted it")
			}
		})
	}
	if _, err := ldapstore.NewUsers(nil, good); err == nil {
		t.Error("NewUsers accepted no pool")
	}
}
