package limit

import (
	"strings"
	"testing"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

func TestSetRatios(t *testing.T) {
	tests := []struct {
		name string
		rows map[string]float64 // scenario: throughput
		want map[string]float64 // scenario: ratio
		open bool
	}{
		{name: "against the RS256 row", rows: map[string]float64{Scenario: 400, ScenarioES256: 800, "client-credentials": 300},
			want: map[string]float64{Scenario: 0, ScenarioES256: 2, "client-credentials": 0.75}},
		{name: "no limit row", rows: map[string]float64{"client-credentials": 300}, want: map[string]float64{"client-credentials": 0}},
		{name: "open loop", rows: map[string]float64{Scenario: 300, "discovery": 300}, open: true, want: map[string]float64{Scenario: 0, "discovery": 0}},
		{name: "limit measured nothing", rows: map[string]float64{Scenario: 0, "discovery": 300}, want: map[string]float64{Scenario: 0, "discovery": 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sums []*load.Summary
			for name, tp := range tc.rows {
				s := &load.Summary{Scenario: name, Throughput: tp, Mode: "closed"}
				if tc.open {
					s.Mode = "open"
				}
				sums = append(sums, s)
			}
			SetRatios(sums)
			for _, s := range sums {
				if s.LimitRatio != tc.want[s.Scenario] {
					t.Errorf("%s: ratio %v, want %v", s.Scenario, s.LimitRatio, tc.want[s.Scenario])
				}
			}
		})
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	tests := []struct {
		addr, want string
	}{
		{addr: "0.0.0.0:0", want: "loopback"},
		{addr: "localhost:0", want: "loopback"}, // a name could resolve elsewhere
		{addr: "127.0.0.1", want: "missing port"},
		{addr: "127.0.0.1:0"},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			l, err := Listen(tc.addr)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := l.Close(); err != nil {
					t.Error(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
