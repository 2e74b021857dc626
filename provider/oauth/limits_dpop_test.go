package oauth

import (
	"os"
	"strings"
	"testing"
)

// TestDPoPLimitsDocumented: docs/limits.md has the DPoP rows with the
// numbers the code enforces.
func TestDPoPLimitsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| DPoP proof (`DPoP` header) | 8192 |",
		"| DPoP proof `jti` | 64 |",
		"| `dpop_jkt` | 64 |",
	} {
		if !strings.Contains(string(raw), row) {
			t.Errorf("docs/limits.md has no row %s", row)
		}
	}
	if MaxDPoPProof != 8192 || MaxDPoPJTI != 64 || MaxDPoPJKT != 64 {
		t.Errorf("limits changed: update docs/limits.md and this test")
	}
}
