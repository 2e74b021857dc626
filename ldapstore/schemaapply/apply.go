package schemaapply

import (
	"fmt"

	"github.com/go-ldap/ldap/v3"

	"github.com/gatehouse-idp/gatehouse/schema"
)

// Action is the kind of a Change.
type Action int

// The changes apply makes.
const (
	ActionAddEntry     Action = iota // a whole set as a new schema entry
	ActionAddAttribute               // an attribute type added to an entry
	ActionAddClass                   // an object class added to an entry
	ActionExtendClass                // an object class given more MAY attributes
	ActionReloadClass                // a subclass of an extended class reloaded unchanged
)

// Change is one thing applying does to the server's schema.
type Change struct {
	Action Action
	Name   string // the set, attribute type or object class
	Entry  string // DN of the schema entry
	Detail string // what was added, where that says more than the name
}

// String says what was done, in one line.
func (c Change) String() string { return c.describe(false) }

// Planned says what would be done, in one line.
func (c Change) Planned() string { return c.describe(true) }

func (c Change) describe(planned bool) string {
	verb := func(done, todo string) string {
		if planned {
			return "would " + todo
		}
		return done
	}
	switch c.Action {
	case ActionAddEntry:
		return fmt.Sprintf("%s schema entry %s (%s)", verb("added", "add"), c.Entry, c.Detail)
	case ActionAddAttribute:
		return fmt.Sprintf("%s attribute type %s to %s", verb("added", "add"), c.Name, c.Entry)
	case ActionAddClass:
		return fmt.Sprintf("%s object class %s to %s", verb("added", "add"), c.Name, c.Entry)
	case ActionExtendClass:
		return fmt.Sprintf("%s object class %s in %s with MAY %s", verb("extended", "extend"), c.Name, c.Entry, c.Detail)
	case ActionReloadClass:
		return fmt.Sprintf("%s object class %s in %s so that it inherits the extension", verb("reloaded", "reload"), c.Name, c.Entry)
	}
	return fmt.Sprintf("change %d of %s in %s", c.Action, c.Name, c.Entry)
}

// Apply makes the plan's changes, one LDAP request per schema entry, and
// returns those that were made. On an error the requests before it have
// taken effect; running apply again picks up from there.
func (p *Plan) Apply(conn *ldap.Conn) ([]Change, error) {
	var done []Change
	for _, s := range p.steps {
		if err := s.run(conn); err != nil {
			return done, err
		}
		done = append(done, s.changes...)
	}
	return done, nil
}

func (s step) run(conn *ldap.Conn) error {
	if s.add != nil {
		if err := conn.Add(s.add); err != nil {
			return fmt.Errorf("add %s: %w", s.add.DN, err)
		}
		return nil
	}
	if err := conn.Modify(s.modify); err != nil {
		return fmt.Errorf("modify %s: %w", s.modify.DN, err)
	}
	return nil
}

// Apply brings sets (normally schema.Sets()) into the server behind conn
// and returns what it changed; nothing means the schema was current.
func Apply(conn *ldap.Conn, sets []schema.Set) ([]Change, error) {
	p, err := NewPlan(conn, sets)
	if err != nil {
		return nil, err
	}
	return p.Apply(conn)
}
