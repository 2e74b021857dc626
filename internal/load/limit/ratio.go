package limit

import "github.com/gatehouse-idp/gatehouse/internal/load"

// Scenario names of the limit rows in a gatehouse-load run.
const (
	Scenario      = "limit"       // RS256: the yardstick of the ratios
	ScenarioES256 = "limit-es256" // ES256, for comparison
)

// AlgOf returns the algorithm of a limit scenario name, and false for
// any other name.
func AlgOf(name string) (string, bool) {
	switch name {
	case Scenario:
		return RS256, true
	case ScenarioES256:
		return ES256, true
	}
	return "", false
}

// SetRatios sets every other row's LimitRatio to its throughput over the
// RS256 limit row's, measured in the same run. Without a limit row, or
// when it measured nothing, no ratio is set: a ratio against another
// run's limit would mix two machines' states. Open-loop rows get none
// either: their throughput is the rate asked for, not a capacity.
func SetRatios(sums []*load.Summary) {
	var limit *load.Summary
	for _, s := range sums {
		if s.Scenario == Scenario {
			limit = s
		}
	}
	if limit == nil || limit.Throughput <= 0 || limit.Mode == "open" {
		return
	}
	for _, s := range sums {
		if s != limit && s.Mode != "open" {
			s.LimitRatio = s.Throughput / limit.Throughput
		}
	}
}
