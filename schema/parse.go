package schema

import (
	"errors"
	"fmt"
	"strings"
)

// ParseAttributeType reads an RFC 4512 attribute type description, as a
// directory returns it in attributeTypes or OpenLDAP in olcAttributeTypes
// (whose "{n}" ordering prefix is skipped). It is lenient where servers
// differ: keywords in any case, a quoted SYNTAX, descriptors as OIDs.
func ParseAttributeType(s string) (AttributeType, error) {
	p, err := newParser(s)
	if err != nil {
		return AttributeType{}, err
	}
	a := AttributeType{OID: p.oid}
	for p.more() {
		kw := p.next()
		switch kw {
		case "NAME":
			a.Names, err = p.qdescrs()
		case "DESC":
			a.Desc, err = p.qdstring()
		case "OBSOLETE":
			a.Obsolete = true
		case "SUP":
			a.Sup, err = p.woid()
		case "EQUALITY":
			a.Equality, err = p.woid()
		case "ORDERING":
			a.Ordering, err = p.woid()
		case "SUBSTR":
			a.Substr, err = p.woid()
		case "SYNTAX":
			a.Syntax, err = p.woidOrQuoted()
		case "SINGLE-VALUE":
			a.SingleValue = true
		case "COLLECTIVE":
			a.Collective = true
		case "NO-USER-MODIFICATION":
			a.NoUserModification = true
		case "USAGE":
			a.Usage, err = p.woid()
		default:
			err = p.extension(kw, &a.Extensions)
		}
		if err != nil {
			return AttributeType{}, p.fail(kw, err)
		}
	}
	return a, nil
}

// ParseObjectClass reads an RFC 4512 object class description; see
// ParseAttributeType.
func ParseObjectClass(s string) (ObjectClass, error) {
	p, err := newParser(s)
	if err != nil {
		return ObjectClass{}, err
	}
	c := ObjectClass{OID: p.oid}
	for p.more() {
		kw := p.next()
		switch kw {
		case "NAME":
			c.Names, err = p.qdescrs()
		case "DESC":
			c.Desc, err = p.qdstring()
		case "OBSOLETE":
			c.Obsolete = true
		case "SUP":
			c.Sup, err = p.oidList()
		case "ABSTRACT", "STRUCTURAL", "AUXILIARY":
			c.Kind = ClassKind(kw)
		case "MUST":
			c.Must, err = p.oidList()
		case "MAY":
			c.May, err = p.oidList()
		default:
			err = p.extension(kw, &c.Extensions)
		}
		if err != nil {
			return ObjectClass{}, p.fail(kw, err)
		}
	}
	return c, nil
}

// parser walks the tokens between the parentheses of a description.
type parser struct {
	src    string
	oid    string
	tokens []string
	pos    int
}

func newParser(s string) (*parser, error) {
	tokens, err := tokenize(stripOrdering(s))
	if err != nil {
		return nil, fmt.Errorf("schema description %q: %w", s, err)
	}
	n := len(tokens)
	if n < 3 || tokens[0] != "(" || tokens[n-1] != ")" {
		return nil, fmt.Errorf("schema description %q: not of the form ( OID ... )", s)
	}
	if isSpecial(tokens[1]) {
		return nil, fmt.Errorf("schema description %q: no OID after the opening parenthesis", s)
	}
	return &parser{src: s, oid: tokens[1], tokens: tokens[2 : n-1]}, nil
}

// stripOrdering drops OpenLDAP's X-ORDERED prefix "{n}".
func stripOrdering(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		return s
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return s
	}
	return strings.TrimSpace(s[end+1:])
}

func (p *parser) more() bool { return p.pos < len(p.tokens) }

func (p *parser) next() string {
	t := p.tokens[p.pos]
	p.pos++
	if !isQuoted(t) {
		t = strings.ToUpper(t)
	}
	return t
}

func (p *parser) peek() string {
	if !p.more() {
		return ""
	}
	return p.tokens[p.pos]
}

func (p *parser) fail(kw string, err error) error {
	return fmt.Errorf("schema description %q: %s: %w", p.src, kw, err)
}

var errMissing = errors.New("value missing")

// word takes one unquoted token that is not punctuation.
func (p *parser) word() (string, error) {
	t := p.peek()
	if t == "" || isSpecial(t) || isQuoted(t) {
		return "", errMissing
	}
	p.pos++
	return t, nil
}

func (p *parser) woid() (string, error) { return p.word() }

func (p *parser) woidOrQuoted() (string, error) {
	if isQuoted(p.peek()) {
		return p.qdstring()
	}
	return p.word()
}

func (p *parser) qdstring() (string, error) {
	t := p.peek()
	if !isQuoted(t) {
		return "", errMissing
	}
	p.pos++
	return unquote(t)
}

// qdescrs reads one quoted name or a parenthesised list of them.
func (p *parser) qdescrs() ([]string, error) {
	if p.peek() != "(" {
		s, err := p.qdstring()
		return []string{s}, err
	}
	p.pos++
	var out []string
	for p.peek() != ")" {
		s, err := p.qdstring()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	p.pos++
	return out, nil
}

// oidList reads one OID or name, or a parenthesised list separated by "$".
func (p *parser) oidList() ([]string, error) {
	if p.peek() != "(" {
		s, err := p.word()
		return []string{s}, err
	}
	p.pos++
	var out []string
	for {
		s, err := p.word()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		switch p.peek() {
		case "$":
			p.pos++
		case ")":
			p.pos++
			return out, nil
		default:
			return nil, fmt.Errorf("unterminated list after %s", s)
		}
	}
}

// extension reads an "X-" element with its quoted value or values.
func (p *parser) extension(kw string, exts *[]Extension) error {
	if !strings.HasPrefix(kw, "X-") {
		return errors.New("unknown keyword")
	}
	values, err := p.qdescrs()
	if err != nil {
		return err
	}
	*exts = append(*exts, Extension{Name: kw, Values: values})
	return nil
}

// tokenize splits a description into parentheses, dollar signs, quoted
// strings (kept with their quotes) and words.
func tokenize(s string) ([]string, error) {
	var tokens []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '$':
			tokens = append(tokens, string(c))
			i++
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote at offset %d", i)
			}
			tokens = append(tokens, s[i:i+end+2])
			i += end + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r()$'", rune(s[j])) {
				j++
			}
			tokens = append(tokens, s[i:j])
			i = j
		}
	}
	return tokens, nil
}

func isSpecial(t string) bool { return t == "(" || t == ")" || t == "$" }

func isQuoted(t string) bool { return len(t) >= 2 && t[0] == '\'' }

// unquote removes the quotes and decodes the \27 and \5C escapes of RFC 4512.
func unquote(t string) (string, error) {
	s := t[1 : len(t)-1]
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", fmt.Errorf("bad escape in %s", t)
		}
		switch strings.ToUpper(s[i+1 : i+3]) {
		case "27":
			b.WriteByte('\'')
		case "5C":
			b.WriteByte('\\')
		default:
			return "", fmt.Errorf("bad escape in %s", t)
		}
		i += 2
	}
	return b.String(), nil
}
