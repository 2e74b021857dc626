package embedded

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// foldWidth is the longest line the writer produces; RFC 2849 suggests
// folding at 76 columns.
const foldWidth = 76

// encodeLDIF renders entries as an LDIF content file, after a comment
// header. Every value survives a round trip through readLDIF byte for byte.
func encodeLDIF(header string, entries []*entry) []byte {
	var bw bytes.Buffer
	for _, line := range strings.Split(header, "\n") {
		bw.WriteString("# " + line + "\n")
	}
	// No "version: 1" line: it is optional (RFC 2849), and OpenLDAP's
	// slapadd refuses it, while the file is otherwise one slapadd can load.
	for _, e := range entries {
		bw.WriteString("\n")
		writeLDIFLine(&bw, "dn", e.dn.text)
		for _, a := range e.attrs {
			for _, v := range a.values {
				writeLDIFLine(&bw, a.name, v)
			}
		}
	}
	return bw.Bytes()
}

// writeLDIFLine writes "name: value", or "name:: base64" when the value is
// not a safe string, folded to foldWidth columns.
func writeLDIFLine(w *bytes.Buffer, name, value string) {
	line := name + ":"
	switch {
	case value == "":
	case safeString(value):
		line += " " + value
	default:
		line += ": " + base64.StdEncoding.EncodeToString([]byte(value))
	}
	// A continuation line starts with a space, so it has one byte less
	// room for the value than the first line.
	width := foldWidth
	for len(line) > width {
		w.WriteString(line[:width] + "\n ")
		line = line[width:]
		width = foldWidth - 1
	}
	w.WriteString(line + "\n")
}

// safeString reports whether v may be written as it is (RFC 2849
// SAFE-STRING), with two stricter rules: only printable ASCII, so control
// characters and every non-ASCII value go out as base64; and no trailing
// space, which editors and readers tend to lose.
func safeString(v string) bool {
	switch v[0] {
	case ' ', ':', '<':
		return false
	}
	if v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}
