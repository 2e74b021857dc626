package load

import (
	"bytes"
	"strings"
	"testing"
)

// TestWriteTableRatios: the "× limit" column appears only when some row
// has a ratio, with "-" for the rows without one.
func TestWriteTableRatios(t *testing.T) {
	tests := []struct {
		name string
		sums []*Summary
		want []string // substrings of the output
		not  string
	}{
		{name: "no ratios", sums: []*Summary{{Scenario: "discovery", Throughput: 10}}, not: "limit"},
		{name: "ratios", sums: []*Summary{{Scenario: "limit", Throughput: 10}, {Scenario: "client-credentials", Throughput: 5, LimitRatio: 0.5}},
			want: []string{"× limit", "0.50×"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTable(&b, tc.sums); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("no %q in\n%s", w, out)
				}
			}
			if tc.not != "" && strings.Contains(out, tc.not) {
				t.Errorf("%q in\n%s", tc.not, out)
			}
			if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != len(tc.sums)+1 {
				t.Errorf("%d lines, want %d", len(lines), len(tc.sums)+1)
			}
		})
	}
}
