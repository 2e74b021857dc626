package ldapstore

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// subjectEncodingGUID is UsersConfig.SubjectEncoding for Active
// Directory's objectGUID.
const subjectEncodingGUID = "guid"

// guidLength is the size of an objectGUID value: 16 raw bytes, which AD
// keeps in the order of the Windows GUID structure — a little-endian
// uint32, two little-endian uint16, then eight bytes as they are.
const guidLength = 16

// guidFields are the byte ranges of the canonical string's first three
// groups, whose bytes are stored little-endian and so shown reversed
// ([MS-DTYP] §2.3.4.2; samba-tool and Windows print them so).
var guidFields = [][2]int{{0, 4}, {4, 6}, {6, 8}}

// formatGUID renders a raw objectGUID in the canonical form that AD's own
// tools show, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx in lower case, or
// reports that the value is not a GUID.
func formatGUID(raw []byte) (string, error) {
	if len(raw) != guidLength {
		return "", fmt.Errorf("%d bytes, want %d", len(raw), guidLength)
	}
	b := swapGUIDFields(raw)
	s := hex.EncodeToString(b)
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32], nil
}

// parseGUID is formatGUID backwards. It accepts only the canonical form
// formatGUID makes (lower case, no braces): "sub" is compared as an exact
// string, so any other spelling names no one.
func parseGUID(s string) ([]byte, bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return nil, false
	}
	digits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if strings.ToLower(digits) != digits {
		return nil, false
	}
	b, err := hex.DecodeString(digits)
	if err != nil {
		return nil, false
	}
	return swapGUIDFields(b), true
}

// swapGUIDFields reverses the bytes of each of the first three fields,
// which turns the stored order into the shown one and back. It returns a
// copy.
func swapGUIDFields(in []byte) []byte {
	b := append([]byte(nil), in...)
	for _, f := range guidFields {
		for i, j := f[0], f[1]-1; i < j; i, j = i+1, j-1 {
			b[i], b[j] = b[j], b[i]
		}
	}
	return b
}

// escapeBinary writes every byte as \xx, the form of an assertion value
// with binary content (RFC 4515 §3). AD matches objectGUID only against
// the raw bytes, never against the string form.
func escapeBinary(b []byte) string {
	var s strings.Builder
	s.Grow(3 * len(b))
	for _, c := range b {
		fmt.Fprintf(&s, `\%02x`, c)
	}
	return s.String()
}
