package conf

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// maxShapeVisits bounds the walk: aliases and merge keys can make a small
// document expand into a huge tree, and a configuration file never needs more.
const maxShapeVisits = 100_000

var durationType = reflect.TypeFor[time.Duration]()

// shapeChecker walks a YAML node tree alongside a Go type and records every
// key the type does not have and every value the type cannot hold, each with
// its full YAML path and line.
type shapeChecker struct {
	problems []LineProblem
	visits   int
	// merging holds the mappings whose entries are being merged in, to stop
	// at a mapping that merges itself ("a: &x {<<: *x}").
	merging map[*yaml.Node]bool
}

// checkShape returns the shape problems of a document meant to decode into Config.
func checkShape(doc *yaml.Node) []LineProblem {
	s := shapeChecker{merging: map[*yaml.Node]bool{}}
	root := doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	s.value(root, reflect.TypeFor[Config](), "")
	return s.problems
}

// add records a problem once: an anchor used twice would otherwise report
// the same mistake twice.
func (s *shapeChecker) add(line int, path, format string, args ...any) {
	p := LineProblem{Line: line, Path: path, Text: fmt.Sprintf(format, args...)}
	if !slices.Contains(s.problems, p) {
		s.problems = append(s.problems, p)
	}
}

// value checks node n against type t. A null leaves the zero value in
// yaml.v3, so it fits every type.
func (s *shapeChecker) value(n *yaml.Node, t reflect.Type, path string) {
	if !s.spend(n, path) {
		return
	}
	n = resolveAlias(n)
	if isNull(n) {
		return
	}
	switch {
	case t == durationType:
		s.scalar(n, t, path)
	case t.Kind() == reflect.Struct:
		s.structure(n, t, path)
	case t.Kind() == reflect.Map:
		s.mapping(n, t, path)
	case t.Kind() == reflect.Slice:
		s.list(n, t, path)
	default:
		s.scalar(n, t, path)
	}
}

// spend counts one more node visited and reports false once the budget is gone.
func (s *shapeChecker) spend(n *yaml.Node, path string) bool {
	s.visits++
	if s.visits == maxShapeVisits {
		s.add(n.Line, path, "%s: the document expands to too many values (check its aliases)", label(path))
	}
	return s.visits < maxShapeVisits
}

func (s *shapeChecker) structure(n *yaml.Node, t reflect.Type, path string) {
	if !s.isKind(n, yaml.MappingNode, t, path) {
		return
	}
	fields := yamlFields(t)
	for _, p := range s.pairs(n, path) {
		keyPath := joinPath(path, p.key.Value)
		field, ok := fields[p.key.Value]
		if !ok {
			s.add(p.key.Line, keyPath, "unknown key %q", keyPath)
			continue
		}
		s.value(p.value, field, keyPath)
	}
}

func (s *shapeChecker) mapping(n *yaml.Node, t reflect.Type, path string) {
	if !s.isKind(n, yaml.MappingNode, t, path) {
		return
	}
	for _, p := range s.pairs(n, path) {
		s.value(p.value, t.Elem(), joinPath(path, p.key.Value))
	}
}

func (s *shapeChecker) list(n *yaml.Node, t reflect.Type, path string) {
	if !s.isKind(n, yaml.SequenceNode, t, path) {
		return
	}
	for i, item := range n.Content {
		s.value(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
	}
}

// scalar asks yaml.v3 itself whether the value fits, so that the check can
// never disagree with the real decode about what a string, number, boolean
// or duration may look like.
func (s *shapeChecker) scalar(n *yaml.Node, t reflect.Type, path string) {
	if !s.isKind(n, yaml.ScalarNode, t, path) {
		return
	}
	if err := n.Decode(reflect.New(t).Interface()); err == nil {
		return
	}
	hint := ""
	if t == durationType && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		hint = fmt.Sprintf(` (durations need a unit, e.g. "%ss")`, n.Value)
	}
	s.add(n.Line, path, "%s: cannot use %s as %s%s", label(path), describeNode(n), describeType(t), hint)
}

func (s *shapeChecker) isKind(n *yaml.Node, want yaml.Kind, t reflect.Type, path string) bool {
	if n.Kind == want {
		return true
	}
	s.add(n.Line, path, "%s: expected %s, found %s", label(path), describeType(t), describeNode(n))
	return false
}

// pair is one key and its value in a mapping.
type pair struct {
	key, value *yaml.Node
}

// pairs lists the entries of mapping n with plain string keys, reporting
// other keys and duplicates. Entries merged in with "<<: *anchor" come after
// the mapping's own entries; YAML lets own entries override merged ones, so
// only own entries count as duplicates.
func (s *shapeChecker) pairs(n *yaml.Node, path string) []pair {
	var own, merged []pair
	firstLine := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, value := resolveAlias(n.Content[i]), n.Content[i+1]
		switch {
		case key.Kind == yaml.ScalarNode && key.ShortTag() == "!!merge":
			merged = append(merged, s.mergedPairs(value, path)...)
		case key.Kind != yaml.ScalarNode:
			s.add(key.Line, path, "%s: keys must be plain strings, found %s", label(path), describeNode(key))
		case firstLine[key.Value] != 0:
			keyPath := joinPath(path, key.Value)
			s.add(key.Line, keyPath, "duplicate key %q (first set on line %d)", keyPath, firstLine[key.Value])
		default:
			firstLine[key.Value] = key.Line
			own = append(own, pair{key, value})
		}
	}
	return append(own, merged...)
}

// mergedPairs returns the entries a merge key brings in: one mapping or a
// list of mappings.
func (s *shapeChecker) mergedPairs(n *yaml.Node, path string) []pair {
	if !s.spend(n, path) {
		return nil
	}
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		if s.merging[n] {
			s.add(n.Line, path, "%s: a merge (<<) refers to a mapping that contains it", label(path))
			return nil
		}
		s.merging[n] = true
		defer delete(s.merging, n)
		return s.pairs(n, path)
	case yaml.SequenceNode:
		var all []pair
		for _, item := range n.Content {
			all = append(all, s.mergedPairs(item, path)...)
		}
		return all
	}
	s.add(n.Line, path, "%s: a merge (<<) needs a mapping or a list of mappings, found %s", label(path), describeNode(n))
	return nil
}

// yamlFields maps the YAML key of every decodable field of struct type t to
// the field's type, following yaml.v3's rules: the tag's name, or the
// lower-cased field name, and "-" for fields that are not keys at all.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// label names a path in a message; the empty path is the document itself.
func label(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

func describeType(t reflect.Type) string {
	if t == durationType {
		return "a duration"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("a whole number from 0 to %d", uint64(1)<<t.Bits()-1)
	case reflect.Struct, reflect.Map:
		return "a mapping"
	case reflect.Slice:
		return "a list"
	}
	return t.String()
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return quoteScalar(n)
	}
	return "nothing"
}

// quoteScalar shows a scalar as written: strings quoted, numbers and booleans
// bare, and long values cut short so the message stays one readable line.
func quoteScalar(n *yaml.Node) string {
	const max = 40
	v := n.Value
	if utf8.RuneCountInString(v) > max {
		v = string([]rune(v)[:max]) + "…"
	}
	if n.ShortTag() == "!!str" {
		return strconv.Quote(v)
	}
	return v
}
