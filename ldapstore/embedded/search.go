package embedded

import (
	"github.com/go-ldap/ldap/v3"
	"github.com/jimlambrt/gldap"
)

// query is a search request, parsed.
type query struct {
	base      dn
	scope     gldap.Scope
	filter    filterNode
	selection selection
	typesOnly bool
	sizeLimit int64
	paging    *gldap.ControlPaging
	hidden    func(attrDesc) bool
	print     []byte // fingerprint for paging cookies
}

// answer is what a search sends back besides its result code.
type answer struct {
	entries []*entry
	paged   bool
	cookie  []byte
	total   int
}

// search handles a search request: entries first, then the result.
func (h *handler) search(w *gldap.ResponseWriter, r *gldap.Request) {
	who := h.identities.get(r.ConnectionID())
	var q query
	var ans answer
	err := h.safely(func() error {
		var err error
		if q, err = parseQuery(r, who); err != nil {
			return err
		}
		ans, err = h.run(q)
		return err
	})
	for _, e := range ans.entries {
		if !h.send(w, entryResponse(r, e, q)) {
			return // the client is gone; the rest would fail the same way
		}
	}
	code, msg, matched := resultOf(err)
	done := r.NewSearchDoneResponse(gldap.WithResponseCode(code))
	done.SetDiagnosticMessage(msg)
	done.SetMatchedDN(matched)
	if ans.paged {
		done.SetControls(&gldap.ControlPaging{PagingSize: uint32(ans.total), Cookie: ans.cookie})
	}
	h.send(w, done)
}

func parseQuery(r *gldap.Request, who identity) (query, error) {
	m, err := r.GetSearchMessage()
	if err != nil {
		return query{}, fail(ldap.LDAPResultProtocolError, "not a search request")
	}
	if err := checkControls(m.Controls); err != nil {
		return query{}, err
	}
	base, err := parseDN(m.BaseDN)
	if err != nil {
		return query{}, err
	}
	if m.Scope < gldap.BaseObject || m.Scope > gldap.WholeSubtree {
		return query{}, fail(ldap.LDAPResultProtocolError, "invalid scope %d", m.Scope)
	}
	filter, err := compileFilter(m.Filter)
	if err != nil {
		return query{}, err
	}
	return query{
		base:      base,
		scope:     m.Scope,
		filter:    filter,
		selection: newSelection(m.Attributes),
		typesOnly: m.TypesOnly,
		sizeLimit: m.SizeLimit,
		paging:    pagingControl(m.Controls),
		hidden:    hiddenFrom(who),
		print:     searchFingerprint(base, m.Scope, m.Filter),
	}, nil
}

// run finds the matching entries, in key order, and applies the size
// limit and paging. A size limit cuts the whole result: the page that
// reaches it carries sizeLimitExceeded (RFC 4511 §4.5.1.5).
func (h *handler) run(q query) (answer, error) {
	matches, err := h.matches(q)
	if err != nil {
		return answer{}, err
	}
	sortByKey(matches)
	var limitErr error
	if q.sizeLimit > 0 && int64(len(matches)) > q.sizeLimit {
		matches = matches[:q.sizeLimit]
		limitErr = fail(ldap.LDAPResultSizeLimitExceeded, "size limit of %d entries exceeded", q.sizeLimit)
	}
	if q.paging == nil {
		return answer{entries: matches}, limitErr
	}
	pageEntries, cookie, err := page(matches, q.paging, q.print)
	if err != nil {
		return answer{}, err
	}
	ans := answer{entries: pageEntries, paged: true, cookie: cookie, total: len(matches)}
	if len(cookie) > 0 {
		return ans, nil
	}
	return ans, limitErr
}

// matches returns the entries in scope that satisfy the filter; a search
// based on the empty DN with scope base reads the root DSE.
func (h *handler) matches(q query) ([]*entry, error) {
	keep := func(e *entry) bool { return q.filter.eval(e, q.hidden) == isTrue }
	if q.base.isRoot() && q.scope == gldap.BaseObject {
		if dse := h.rootDSE(); keep(dse) {
			return []*entry{dse}, nil
		}
		return nil, nil
	}
	return h.dir.search(q.base, q.scope, keep)
}

// search collects the entries within scope of base that keep accepts.
func (d *directory) search(base dn, scope gldap.Scope, keep func(*entry) bool) ([]*entry, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if !base.isRoot() {
		if _, ok := d.entries[base.key]; !ok {
			return nil, d.missingLocked(base)
		}
	}
	var out []*entry
	for _, e := range d.entries {
		if d.inScopeLocked(e, base, scope) && keep(e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// inScopeLocked reports whether e lies within scope of base. Below the
// root, one level down are the naming contexts, whatever their depth.
func (d *directory) inScopeLocked(e *entry, base dn, scope gldap.Scope) bool {
	switch scope {
	case gldap.BaseObject:
		return e.dn.key == base.key
	case gldap.SingleLevel:
		if base.isRoot() {
			_, hasParent := d.entries[e.dn.parentKey()]
			return !hasParent
		}
		return parentOf(e.dn.key) == base.key
	}
	return inSubtree(e.dn.key, base.key)
}

// entryResponse renders one entry with the attributes the query selects.
func entryResponse(r *gldap.Request, e *entry, q query) *gldap.SearchResponseEntry {
	resp := r.NewSearchResponseEntry(e.dn.text)
	for _, a := range e.attrs {
		if !q.selection.wants(a.desc) || q.hidden(a.desc) {
			continue
		}
		values := a.values
		if q.typesOnly {
			values = nil
		}
		resp.AddAttribute(a.name, values)
	}
	return resp
}
