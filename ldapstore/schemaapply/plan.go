package schemaapply

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// Plan is what applying the schema to one server takes: the changes, for
// the operator, and the LDAP requests that make them.
type Plan struct {
	steps []step
}

// step is one LDAP request and the changes it makes.
type step struct {
	add     *ldap.AddRequest
	modify  *ldap.ModifyRequest
	changes []Change
}

// Changes lists what the plan does, in order.
func (p *Plan) Changes() []Change {
	var out []Change
	for _, s := range p.steps {
		out = append(out, s.changes...)
	}
	return out
}

// Empty reports whether the server already has everything.
func (p *Plan) Empty() bool { return len(p.steps) == 0 }

// NewPlan reads the server's schema over conn, which must be allowed to
// read cn=config, and works out how to bring sets (normally
// schema.Sets()) into it. It changes nothing.
func NewPlan(conn *ldap.Conn, sets []schema.Set) (*Plan, error) {
	in, err := readInstalled(conn)
	if err != nil {
		return nil, err
	}
	return plan(in, sets)
}

// entryEdit collects the changes to one existing schema entry.
type entryEdit struct {
	entry      *schemaEntry
	addAttrs   []schema.AttributeType
	rewrite    map[*classRef]schema.ObjectClass // new definition, in place
	addClasses []schema.ObjectClass
	changes    []Change
}

func plan(in *installed, sets []schema.Set) (*Plan, error) {
	edits := map[*schemaEntry]*entryEdit{}
	edit := func(e *schemaEntry) *entryEdit {
		if edits[e] == nil {
			edits[e] = &entryEdit{entry: e, rewrite: map[*classRef]schema.ObjectClass{}}
		}
		return edits[e]
	}
	var adds []step
	for _, s := range sets {
		present := presentEntries(in, s)
		if len(present) == 0 {
			st, err := addEntry(in, s)
			if err != nil {
				return nil, err
			}
			adds = append(adds, st)
			continue
		}
		if err := planSet(in, s, present, edit); err != nil {
			return nil, err
		}
	}
	p := &Plan{}
	for _, e := range in.entries { // load order: earlier entries first
		if ed := edits[e]; ed != nil {
			p.steps = append(p.steps, ed.step())
		}
	}
	p.steps = append(p.steps, adds...)
	return p, nil
}

// presentEntries lists, in load order, the entries that hold any
// definition of s.
func presentEntries(in *installed, s schema.Set) []*schemaEntry {
	held := map[*schemaEntry]bool{}
	for _, a := range s.Attributes {
		if ref := in.attr(a.Name()); ref != nil {
			held[ref.entry] = true
		}
	}
	for _, c := range s.Classes {
		if ref := in.class(c.Name()); ref != nil {
			held[ref.entry] = true
		}
	}
	var out []*schemaEntry
	for _, e := range in.entries {
		if held[e] {
			out = append(out, e)
		}
	}
	return out
}

// addEntry adds a set that the server has nothing of as a schema entry of
// its own, just as the shipped file would.
func addEntry(in *installed, s schema.Set) (step, error) {
	if err := checkOIDs(in, s.Attributes, s.Classes); err != nil {
		return step{}, err
	}
	dn := "cn=" + s.Name + "," + SchemaDN
	req := ldap.NewAddRequest(dn, nil)
	req.Attribute("objectClass", []string{"olcSchemaConfig"})
	req.Attribute("cn", []string{s.Name})
	req.Attribute(attrTypes, attributeValues(s.Attributes))
	req.Attribute(attrClasses, classValues(s.Classes))
	return step{add: req, changes: []Change{{
		Action: ActionAddEntry, Name: s.Name, Entry: dn,
		Detail: fmt.Sprintf("%d attribute types, %d object classes", len(s.Attributes), len(s.Classes)),
	}}}, nil
}

// planSet plans an upgrade of a set the server holds part of.
func planSet(in *installed, s schema.Set, present []*schemaEntry, edit func(*schemaEntry) *entryEdit) error {
	var missingAttrs []schema.AttributeType
	for _, a := range s.Attributes {
		if in.attr(a.Name()) == nil {
			missingAttrs = append(missingAttrs, a)
		}
	}
	var missingClasses []schema.ObjectClass
	extended := map[*classRef]schema.ObjectClass{}
	var extendedOrder []*classRef
	for _, c := range s.Classes {
		ref := in.class(c.Name())
		if ref == nil {
			missingClasses = append(missingClasses, c)
			continue
		}
		if more := missingMembers(in, ref, c); len(more) > 0 {
			def := ref.def
			def.May = append(append([]string(nil), def.May...), more...)
			extended[ref] = def
			extendedOrder = append(extendedOrder, ref)
		}
	}
	if err := checkOIDs(in, missingAttrs, missingClasses); err != nil {
		return err
	}

	// Classes go after everything of the set the server has; new attribute
	// types before the first class that needs them, so that a restart,
	// which loads entries in order, finds each definition's dependencies.
	classHome := present[len(present)-1]
	attrHome := classHome
	for _, ref := range extendedOrder {
		if ref.entry.order < attrHome.order {
			attrHome = ref.entry
		}
	}
	// cn=schema,cn=config itself holds the schema compiled into slapd,
	// which cannot be changed.
	if len(missingAttrs) > 0 && attrHome.order < 0 || len(missingClasses) > 0 && classHome.order < 0 {
		return fmt.Errorf("set %s: its definitions are compiled into slapd, which cannot be changed", s.Name)
	}
	for _, ref := range extendedOrder {
		if ref.entry.order < 0 {
			return fmt.Errorf("object class %s is compiled into slapd and cannot be extended", ref.def.Name())
		}
	}

	if len(missingAttrs) > 0 {
		ed := edit(attrHome)
		ed.addAttrs = append(ed.addAttrs, missingAttrs...)
		for _, a := range missingAttrs {
			ed.changes = append(ed.changes, Change{Action: ActionAddAttribute, Name: a.Name(), Entry: attrHome.dn})
		}
	}
	for _, ref := range extendedOrder {
		ed := edit(ref.entry)
		ed.rewrite[ref] = extended[ref]
		added := extended[ref].May[len(ref.def.May):]
		ed.changes = append(ed.changes, Change{Action: ActionExtendClass, Name: ref.def.Name(), Entry: ref.entry.dn,
			Detail: strings.Join(added, ", ")})
	}
	for _, ref := range subclasses(in, extendedOrder) {
		if _, done := extended[ref]; done {
			continue
		}
		ed := edit(ref.entry)
		ed.rewrite[ref] = ref.def
		ed.changes = append(ed.changes, Change{Action: ActionReloadClass, Name: ref.def.Name(), Entry: ref.entry.dn})
	}
	if len(missingClasses) > 0 {
		ed := edit(classHome)
		ed.addClasses = append(ed.addClasses, missingClasses...)
		for _, c := range missingClasses {
			ed.changes = append(ed.changes, Change{Action: ActionAddClass, Name: c.Name(), Entry: classHome.dn})
		}
	}
	return nil
}

// missingMembers lists the attributes that ours requires or allows and the
// installed class neither requires nor allows, itself or by inheritance.
// They are all added as MAY: a new MUST would make existing entries invalid.
func missingMembers(in *installed, ref *classRef, ours schema.ObjectClass) []string {
	allowed := map[string]bool{}
	for _, c := range append([]*classRef{ref}, ancestors(in, ref)...) {
		for _, m := range append(append([]string(nil), c.def.Must...), c.def.May...) {
			allowed[in.canonical(m)] = true
		}
	}
	var out []string
	for _, m := range append(append([]string(nil), ours.Must...), ours.May...) {
		if !allowed[in.canonical(m)] {
			out = append(out, m)
		}
	}
	return out
}

// ancestors lists the installed superclasses of a class, near ones first.
func ancestors(in *installed, ref *classRef) []*classRef {
	var out []*classRef
	seen := map[*classRef]bool{ref: true}
	for i := -1; i < len(out); i++ {
		cur := ref
		if i >= 0 {
			cur = out[i]
		}
		for _, sup := range cur.def.Sup {
			if p := in.class(sup); p != nil && !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// subclasses lists, in load order, every installed class that inherits
// from one of the given classes.
func subclasses(in *installed, of []*classRef) []*classRef {
	var out []*classRef
	for _, e := range in.entries {
		for _, c := range e.classes {
			up := ancestors(in, c)
			if slices.ContainsFunc(of, func(anc *classRef) bool { return slices.Contains(up, anc) }) {
				out = append(out, c)
			}
		}
	}
	return out
}

// checkOIDs refuses to add a definition whose OID the server already uses
// under another name: slapd would refuse it with a less helpful message.
func checkOIDs(in *installed, attrs []schema.AttributeType, classes []schema.ObjectClass) error {
	for _, a := range attrs {
		if ref := in.attr(a.OID); ref != nil {
			return fmt.Errorf("attribute type %s: OID %s is already used by %s in %s", a.Name(), a.OID, ref.def.Name(), ref.entry.dn)
		}
	}
	for _, c := range classes {
		if ref := in.class(c.OID); ref != nil {
			return fmt.Errorf("object class %s: OID %s is already used by %s in %s", c.Name(), c.OID, ref.def.Name(), ref.entry.dn)
		}
	}
	return nil
}

// step turns the edits of one entry into a single modification, in the
// order that keeps every definition's dependencies ahead of it: new
// attribute types, then classes rewritten in place (superclasses first, as
// their positions are), then new classes at the end.
//
// A class is rewritten by deleting its value and adding the new one at the
// same {n} position. Deleting shifts the later values down by one and the
// add shifts them back, so the positions of the rewrites that follow are
// still right.
func (ed *entryEdit) step() step {
	req := ldap.NewModifyRequest(ed.entry.dn, nil)
	if len(ed.addAttrs) > 0 {
		req.Add(attrTypes, attributeValues(ed.addAttrs))
	}
	refs := make([]*classRef, 0, len(ed.rewrite))
	for ref := range ed.rewrite {
		refs = append(refs, ref)
	}
	sort.Slice(refs, func(i, j int) bool { return refs[i].pos < refs[j].pos })
	for _, ref := range refs {
		req.Delete(attrClasses, []string{ref.raw})
		req.Add(attrClasses, []string{"{" + strconv.Itoa(ref.pos) + "}" + ed.rewrite[ref].String()})
	}
	if len(ed.addClasses) > 0 {
		req.Add(attrClasses, classValues(ed.addClasses))
	}
	return step{modify: req, changes: ed.changes}
}

func attributeValues(attrs []schema.AttributeType) []string {
	out := make([]string, len(attrs))
	for i, a := range attrs {
		out[i] = a.String()
	}
	return out
}

func classValues(classes []schema.ObjectClass) []string {
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = c.String()
	}
	return out
}
