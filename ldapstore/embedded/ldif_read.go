package embedded

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// ldifRecord is one entry of an LDIF content file (RFC 2849).
type ldifRecord struct {
	line  int // where the record starts, for error messages
	dn    string
	lines []ldifLine
}

// ldifLine is one "name: value" line, unfolded and decoded.
type ldifLine struct {
	name, value string
}

// readLDIF reads an LDIF content file: an optional "version: 1", then
// entries separated by blank lines. It unfolds continuation lines (those
// starting with one space), skips comments (and their continuations),
// decodes "::" base64 values and accepts CRLF line ends. Change records
// and "<" URL values are refused: the directory only loads content it wrote
// itself or a hand-written seed.
func readLDIF(r io.Reader) ([]ldifRecord, error) {
	logical, err := unfold(r)
	if err != nil {
		return nil, err
	}
	var records []ldifRecord
	var cur *ldifRecord
	for _, l := range logical {
		if l.text == "" {
			if cur != nil {
				records = append(records, *cur)
				cur = nil
			}
			continue
		}
		name, value, err := parseLDIFLine(l.text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.number, err)
		}
		cur, err = addLDIFLine(cur, len(records), l.number, name, value)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.number, err)
		}
	}
	if cur != nil {
		records = append(records, *cur)
	}
	return records, nil
}

// addLDIFLine adds one parsed line to the record being read, starting a
// new record at a "dn" line.
func addLDIFLine(cur *ldifRecord, done, number int, name, value string) (*ldifRecord, error) {
	lower := strings.ToLower(name)
	switch {
	case cur == nil && done == 0 && lower == "version":
		if value != "1" {
			return nil, fmt.Errorf("unsupported LDIF version %q", value)
		}
		return nil, nil
	case cur == nil && lower != "dn":
		return nil, fmt.Errorf("expected a dn line, found %q", name)
	case cur == nil:
		return &ldifRecord{line: number, dn: value}, nil
	case lower == "changetype" || lower == "control":
		return nil, fmt.Errorf("change records are not supported")
	case lower == "dn":
		return nil, fmt.Errorf("dn line inside an entry (missing blank line?)")
	}
	cur.lines = append(cur.lines, ldifLine{name: name, value: value})
	return cur, nil
}

// parseLDIFLine splits "name: value", "name:: base64" or "name:" (empty).
func parseLDIFLine(s string) (name, value string, err error) {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return "", "", fmt.Errorf("expected \"name: value\", found %q", s)
	}
	name, rest := s[:i], s[i+1:]
	switch {
	case strings.HasPrefix(rest, ":"):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimLeft(rest[1:], " "))
		if err != nil {
			return "", "", fmt.Errorf("%s: invalid base64 value: %w", name, err)
		}
		return name, string(raw), nil
	case strings.HasPrefix(rest, "<"):
		return "", "", fmt.Errorf("%s: URL values are not supported", name)
	}
	return name, strings.TrimLeft(rest, " "), nil
}

// logicalLine is a line after unfolding; text "" separates records.
type logicalLine struct {
	number int
	text   string
}

// unfold joins continuation lines and drops comments. RFC 2849 lets a
// comment be folded too, so a continuation of a comment is dropped with it.
func unfold(r io.Reader) ([]logicalLine, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 64<<20)
	var out []logicalLine
	inComment := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, " ") && inComment:
		case strings.HasPrefix(line, " "):
			if len(out) == 0 || out[len(out)-1].text == "" {
				return nil, fmt.Errorf("line %d: continuation line without a line to continue", n)
			}
			out[len(out)-1].text += line[1:]
		case strings.HasPrefix(line, "#"):
			inComment = true
		default:
			inComment = false
			out = append(out, logicalLine{number: n, text: line})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading LDIF: %w", err)
	}
	return out, nil
}
