package adconformance_test

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/ldapstore"
	"github.com/gatehouse-idp/gatehouse/ldapstore/adtest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/conformance"
	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/ldapstore/schemaapply"
	"github.com/gatehouse-idp/gatehouse/schema"
)

func TestMain(m *testing.M) { adtest.Main(m) }

// forest is the shared DC with the schema applied and the parents of
// the stores' subtrees added, once for all tests.
type forest struct {
	dc                 *adtest.DC
	clientsDN, authzDN string
}

var (
	setupOnce sync.Once
	setupErr  error
)

func sharedForest(t *testing.T) forest {
	t.Helper()
	dc := adtest.Shared(t)
	f := forest{dc: dc, clientsDN: "OU=clients," + dc.BaseDN, authzDN: "OU=authorizations," + dc.BaseDN}
	setupOnce.Do(func() { setupErr = f.setup() })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	return f
}

func (f forest) setup() error {
	conn, err := f.dc.Dial()
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }() // nothing left to tell
	if _, err := schemaapply.ApplyAD(conn, schema.Sets()); err != nil {
		return err
	}
	for _, dn := range []string{f.clientsDN, f.authzDN} {
		req := ldap.NewAddRequest(dn, nil)
		req.Attribute("objectClass", []string{"organizationalUnit"})
		if err := conn.Add(req); err != nil {
			return err
		}
	}
	return nil
}

// pool is a store's pool to the DC over ldaps://, bound as Administrator.
func (f forest) pool(t *testing.T) *ldapstore.Pool {
	t.Helper()
	p, err := ldapstore.NewPool(ldapstore.PoolConfig{URLs: []string{f.dc.LDAPSURL}, BindDN: f.dc.AdminDN,
		BindPassword: f.dc.AdminPassword, CAFile: f.dc.CAFile, Timeout: 10 * time.Second, Size: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestClientStoreAD(t *testing.T) {
	f := sharedForest(t)
	conformance.RunClientStoreTests(t, func(t *testing.T) conformance.Backend {
		skipClientCase(t)
		conn := f.dc.Conn(t)
		base := ldaptest.Subtree(t, conn, f.clientsDN)
		s, err := ldapstore.NewClients(f.pool(t), base)
		if err != nil {
			t.Fatal(err)
		}
		return conformance.Backend{Store: s, BaseDN: base, Dir: conn}
	})
}

func TestAuthorizationStoreAD(t *testing.T) {
	f := sharedForest(t)
	conformance.RunAuthorizationStoreTests(t, func(t *testing.T) conformance.AuthorizationBackend {
		skipAuthzCase(t)
		conn := f.dc.Conn(t)
		base := ldaptest.Subtree(t, conn, f.authzDN)
		s, err := ldapstore.NewAuthorizations(f.pool(t), base)
		if err != nil {
			t.Fatal(err)
		}
		return conformance.AuthorizationBackend{Store: s, BaseDN: base, Dir: conn}
	})
}

// Why cases cannot pass on Samba AD. Each names what would have to change.
const (
	whyLangTags = "impossible on AD: its client has language-tagged values (oauthClientName;lang-de), " +
		"and AD has no attribute options (Samba: 16, not in the schema); it also writes times as " +
		"YYYYMMDDHHMMSSZ, which Samba refuses (21): ldapstore/mapping.go must write YYYYMMDDHHMMSS.0Z"
	whySpecial = whyLangTags + "; and Samba refuses an unescaped '=' in an RDN value (34): " +
		"ldapstore must escape '=' as \\= (RFC 4514 allows it), which go-ldap's EscapeDN does not"
	whyOperational = "Samba returns AD's own attributes (instanceType, whenCreated, whenChanged, uSNCreated, " +
		"uSNChanged, name, objectGUID, objectCategory, distinguishedName) for \"*\": the case " +
		"(conformance/cases_basic.go testMinimalClient) would have to ignore them"
	whyForeign = "the entry the case writes as another server has oauthClientIDIssueTime as YYYYMMDDHHMMSSZ, " +
		"which Samba refuses (21, it takes only YYYYMMDDHHMMSS.0Z), and language tags (see above)"
	whySlow     = "passes, but adding its 1,100 entries takes about 90 s on Samba; set GATEHOUSE_AD_SLOW=1 to run it"
	whyMultiRDN = "impossible on AD: authorization entries are named by a multi-valued RDN " +
		"(authzSubject=...+authzClientID=...), which AD refuses (Samba: 34, invalid DN); " +
		"ldapstore/authz.go would need a single-valued RDN (cn) on AD"
)

// clientSkips are the client cases that cannot pass on Samba AD.
var clientSkips = map[string]string{
	"FullClientRoundTrip":                 whyLangTags,
	"UpdateFunctionErrorWritesNothing":    whyLangTags,
	"MalformedEntries":                    whyLangTags,
	"Delete":                              whyLangTags,
	"ClearingFieldsRemovesThem":           whyLangTags,
	"AlreadyExists":                       whyLangTags,
	"RemovingLanguageTagRemovesAttribute": whyLangTags,
	"ReturnedClientsAreCopies":            whyLangTags,
	"UntouchedFieldsSurviveUpdate":        whyLangTags,
	"SpecialCharacters":                   whySpecial,
	"MinimalClient":                       whyOperational,
	"EntryWrittenByAnotherServer":         whyForeign,
	"PagingPastOneThousand":               whySlow,
}

func skipClientCase(t *testing.T) {
	t.Helper()
	why, ok := clientSkips[caseName(t)]
	if ok && !(caseName(t) == "PagingPastOneThousand" && os.Getenv("GATEHOUSE_AD_SLOW") == "1") {
		t.Skip(why)
	}
}

// skipAuthzCase skips every authorization case: each creates an entry,
// even RefusesUnstorableValues at its end. The suite still runs, so that
// dropping this skip is all a store with AD naming needs.
func skipAuthzCase(t *testing.T) {
	t.Helper()
	t.Skip(whyMultiRDN)
}

// caseName is the suite's name of the running case.
func caseName(t *testing.T) string {
	name := t.Name()
	return name[strings.LastIndex(name, "/")+1:]
}
