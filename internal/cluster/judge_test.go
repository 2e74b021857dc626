package cluster

import (
	"strings"
	"testing"
	"time"
)

func TestJudge(t *testing.T) {
	s := time.Second
	wins := []window{{Name: "fault", Start: 10 * s, End: 20 * s}}
	ok := func(at time.Duration) outcome { return outcome{Scenario: "x", Begin: at, End: at + s} }
	bad := func(at time.Duration) outcome { o := ok(at); o.Failure = "HTTP 503"; return o }
	many := func(n int, at time.Duration, mk func(time.Duration) outcome) []outcome {
		var out []outcome
		for range n {
			out = append(out, mk(at))
		}
		return out
	}
	tests := []struct {
		name     string
		outcomes []outcome
		losses   losses
		want     []string // substrings of the problems, in order
	}{
		{name: "clean", outcomes: many(100, 5*s, ok)},
		{name: "in window within budget", outcomes: append(many(100, 12*s, ok), bad(12*s))},
		{name: "overlapping the window's start", outcomes: append(many(100, 12*s, ok), outcome{Scenario: "x", Begin: 9 * s, End: 10 * s, Failure: "502"})},
		{name: "outside", outcomes: append(many(100, 5*s, ok), bad(25*s)), want: []string{"1 iterations failed outside"}},
		{name: "over budget", outcomes: append(many(10, 12*s, ok), many(5, 12*s, bad)...), want: []string{"5 of 15 iterations in fault windows failed"}},
		{name: "lost", losses: losses{Registrations: []string{"c1"}, Consents: []string{"u1"}},
			want: []string{"confirmed registrations missing", "confirmed consents missing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := judge(&recorder{outcomes: tc.outcomes}, wins, tc.losses).Problems
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %q, want it to say %q", got[i], w)
				}
			}
		})
	}
}
