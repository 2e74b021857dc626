package device

import (
	"crypto/rand"
	"strings"
)

// userAlphabet is what user codes are made of: consonants only (RFC 8628
// §6.1), so that no code spells a word, and none of the letters people
// confuse (no vowels, so no O against 0 or I against 1).
const userAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// userCodeLen is the number of letters: 20^8 ≈ 2^34.6 codes, which the
// throttle and the codes' short life keep out of a guesser's reach (§5.1).
const userCodeLen = 8

// newUserCode draws a user code, without modulo bias: a byte of 240 or
// more is drawn again (240 is the largest multiple of 20 below 256).
func newUserCode() string {
	out := make([]byte, 0, userCodeLen)
	buf := make([]byte, 16)
	for len(out) < userCodeLen {
		_, _ = rand.Read(buf) // crypto/rand.Read never fails (Go 1.24+)
		for _, b := range buf {
			if b < 240 && len(out) < userCodeLen {
				out = append(out, userAlphabet[int(b)%len(userAlphabet)])
			}
		}
	}
	return string(out)
}

// displayUserCode groups a normalised code as people read it: BCDF-GHJK.
func displayUserCode(code string) string {
	if len(code) != userCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// normaliseUserCode reads a code as typed: case, dashes and spaces do not
// matter (§6.1). It reports false for anything that cannot be a code, so
// that nonsense never reaches the store.
func normaliseUserCode(typed string) (string, bool) {
	var b strings.Builder
	for _, r := range typed {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if !strings.ContainsRune(userAlphabet, r) {
			return "", false
		}
		b.WriteRune(r)
	}
	if b.Len() != userCodeLen {
		return "", false
	}
	return b.String(), true
}
