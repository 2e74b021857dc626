package embedded

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"

	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// The simple paged results control (RFC 2696) is served without keeping
// state: the cookie is a fingerprint of the search followed by the key of
// the last entry sent. Results are sorted by key, so the next page starts
// right after that entry; entries added or deleted between pages neither
// repeat nor shift others out of the result.
const fingerprintSize = 8

// pagingControl returns the request's paged results control, if any.
func pagingControl(controls []gldap.Control) *gldap.ControlPaging {
	for _, c := range controls {
		if p, ok := c.(*gldap.ControlPaging); ok {
			return p
		}
	}
	return nil
}

// searchFingerprint ties a cookie to the search it came from (RFC 2696 §3:
// a cookie is only valid for the same search).
func searchFingerprint(base dn, scope gldap.Scope, filter string) []byte {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%s", base.key, scope, filter)))
	return sum[:fingerprintSize]
}

// page cuts one page out of sorted entries and returns the cookie for the
// next one, empty after the last page. A page size of 0 ends the search.
func page(sorted []*entry, ctl *gldap.ControlPaging, fingerprint []byte) ([]*entry, []byte, error) {
	if ctl.PagingSize == 0 {
		return nil, nil, nil
	}
	start := 0
	if len(ctl.Cookie) > 0 {
		if len(ctl.Cookie) < fingerprintSize || !bytes.Equal(ctl.Cookie[:fingerprintSize], fingerprint) {
			return nil, nil, fail(ldap.LDAPResultProtocolError, "paged results cookie is invalid")
		}
		last := string(ctl.Cookie[fingerprintSize:])
		start = sort.Search(len(sorted), func(i int) bool { return sorted[i].dn.key > last })
	}
	end := min(start+int(ctl.PagingSize), len(sorted))
	var next []byte
	if end < len(sorted) {
		next = append(bytes.Clone(fingerprint), sorted[end-1].dn.key...)
	}
	return sorted[start:end], next, nil
}
