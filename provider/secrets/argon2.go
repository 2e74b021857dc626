package secrets

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Bounds on Argon2 parameters, for stored and imported hashes as well as for
// the configured cost. They keep one check from taking more than about a
// gibibyte and a few seconds, whoever wrote the hash.
const (
	maxArgon2MemoryKiB = 1 << 20 // 1 GiB
	maxArgon2Passes    = 100
	maxArgon2Lanes     = 64
	maxArgon2WorkKiB   = 4 << 20 // memory × passes
	minArgon2Salt      = 8       // RFC 9106 §3.1
	maxArgon2Salt      = 64
	minArgon2Tag       = 16 // shorter tags make collisions cheap to find
	maxArgon2Tag       = 64
)

// New hashes use a 16-byte salt and a 32-byte tag (RFC 9106 §4).
const (
	newSaltLen = 16
	newTagLen  = 32
)

// phcBase64 is the PHC string format's base64: standard alphabet, no padding.
var phcBase64 = base64.RawStdEncoding.Strict()

// argon2Hash is a parsed Argon2 PHC string.
type argon2Hash struct {
	variant Format
	memory  uint32 // KiB
	passes  uint32
	lanes   uint8
	salt    []byte
	tag     []byte
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// parseArgon2 reads "$argon2id$v=19$m=M,t=T,p=P$salt$tag" (or argon2i)
// strictly: fields in that order, nothing optional, decimal numbers without
// sign or leading zeros, unpadded base64.
func parseArgon2(s string) (argon2Hash, error) {
	fields := strings.SplitN(s, "$", 7)
	if len(fields) != 6 || fields[0] != "" {
		return argon2Hash{}, malformed("argon2: want 5 $-separated fields")
	}
	var h argon2Hash
	switch fields[1] {
	case "argon2id":
		h.variant = Argon2id
	case "argon2i":
		h.variant = Argon2i
	default:
		return argon2Hash{}, fmt.Errorf("%w: %q", ErrUnsupported, fields[1])
	}
	// Only version 0x13 (19) is implemented by x/crypto/argon2; a PHC string
	// without a version means 0x10.
	if fields[2] != "v=19" {
		return argon2Hash{}, malformed("argon2: version must be v=19")
	}
	m, t, p, err := parseArgon2Params(fields[3])
	if err != nil {
		return argon2Hash{}, err
	}
	if err := checkArgon2Cost(m, t, p); err != nil {
		return argon2Hash{}, err
	}
	h.memory, h.passes, h.lanes = m, t, uint8(p)
	if h.salt, err = decodePHC(fields[4], "salt", minArgon2Salt, maxArgon2Salt); err != nil {
		return argon2Hash{}, err
	}
	if h.tag, err = decodePHC(fields[5], "tag", minArgon2Tag, maxArgon2Tag); err != nil {
		return argon2Hash{}, err
	}
	return h, nil
}

func parseArgon2Params(s string) (m, t, p uint32, err error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return 0, 0, 0, malformed("argon2: want parameters m=,t=,p=")
	}
	out := [3]uint32{}
	for i, name := range [3]string{"m=", "t=", "p="} {
		digits, ok := strings.CutPrefix(parts[i], name)
		if !ok {
			return 0, 0, 0, malformed("argon2: parameter %d must start with %q", i+1, name)
		}
		if out[i], ok = parseDecimal(digits); !ok {
			return 0, 0, 0, malformed("argon2: parameter %q is not a decimal number", name)
		}
	}
	return out[0], out[1], out[2], nil
}

// parseDecimal accepts PHC decimals: digits only, no leading zero.
func parseDecimal(s string) (uint32, bool) {
	if s == "" || len(s) > 10 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil
}

func decodePHC(s, what string, minLen, maxLen int) ([]byte, error) {
	if len(s) > phcBase64.EncodedLen(maxLen) {
		return nil, malformed("argon2: %s longer than %d bytes", what, maxLen)
	}
	b, err := phcBase64.DecodeString(s)
	if err != nil {
		return nil, malformed("argon2: %s is not unpadded base64", what)
	}
	if len(b) < minLen {
		return nil, malformed("argon2: %s shorter than %d bytes", what, minLen)
	}
	return b, nil
}

// checkArgon2Cost applies RFC 9106 §3.1 (at least one pass and one lane,
// 8 KiB of memory per lane) and our upper bounds.
func checkArgon2Cost(memory, passes, lanes uint32) error {
	switch {
	case passes < 1 || passes > maxArgon2Passes:
		return malformed("argon2: passes t=%d outside 1..%d", passes, maxArgon2Passes)
	case lanes < 1 || lanes > maxArgon2Lanes:
		return malformed("argon2: lanes p=%d outside 1..%d", lanes, maxArgon2Lanes)
	case memory < 8*lanes || memory > maxArgon2MemoryKiB:
		return malformed("argon2: memory m=%d KiB outside 8×p..%d", memory, maxArgon2MemoryKiB)
	case uint64(memory)*uint64(passes) > maxArgon2WorkKiB:
		return malformed("argon2: memory × passes of %d KiB over %d", uint64(memory)*uint64(passes), maxArgon2WorkKiB)
	}
	return nil
}

func (h argon2Hash) matches(presented string) bool {
	derive := argon2.IDKey
	if h.variant == Argon2i {
		derive = argon2.Key
	}
	got := derive([]byte(presented), h.salt, h.passes, h.memory, h.lanes, uint32(len(h.tag)))
	return subtle.ConstantTimeCompare(got, h.tag) == 1
}

// reclaimMinKiB is the Argon2 memory cost from which a run is followed by
// a garbage collection.
const reclaimMinKiB = 8 << 10

// reclaim frees the memory of an Argon2 run of memoryKiB that has just
// ended, when it was large. Left to the pacer (GOGC), a finished run's
// block would stay allocated while the next run asks for a new one, and
// the heap goal, set while runs were live, lets several such blocks pile
// up: a peak of twice or more the memory of the runs in flight. Collected
// at once, the block is reused by the next run, and the peak stays near
// the base heap plus the runs in flight (MaxConcurrent × memory cost).
// The collection costs a few milliseconds against the tens of an Argon2
// run, and happens only for a check the cache could not answer. Once runs
// have stopped for a while, the memory goes back to the system.
func (c *Codec) reclaim(memoryKiB uint32) {
	if memoryKiB >= reclaimMinKiB {
		runtime.GC()
		c.release.arm()
	}
}

// memoryKiB is the memory a check of stored costs: its Argon2 memory, or
// nothing worth reclaiming.
func memoryKiB(m matcher) uint32 {
	if h, ok := m.(argon2Hash); ok {
		return h.memory
	}
	return 0
}
