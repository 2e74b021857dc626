package cluster

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// failureBudget is the share of the iterations overlapping a fault
// window that may fail: those in flight on the killed process or
// connection, and those that reach a store in the second before its
// failure is noticed. Outside the windows the budget is zero.
const failureBudget = 0.05

// phase is a stretch of the run: a fault's window or the quiet between.
type phase struct {
	Name       string
	Start, End time.Duration
	Fault      bool
}

// phases cuts the run at the fault windows.
func phases(wins []window) []phase {
	var out []phase
	at := time.Duration(0)
	for i, w := range wins {
		name := "steady"
		if i > 0 {
			name = "between"
		}
		out = append(out, phase{Name: name, Start: at, End: w.Start}, phase{Name: w.Name, Start: w.Start, End: w.End, Fault: true})
		at = w.End
	}
	return append(out, phase{Name: "after", Start: at, End: runFor + iterationTimeout})
}

// verdict is what a run adds up to.
type verdict struct {
	Problems []string
}

// judge applies the rules of the run: nothing lost, no failure outside
// a fault window, failures within them inside the budget.
func judge(rec *recorder, wins []window, l losses) verdict {
	var v verdict
	if n := len(l.Registrations); n > 0 {
		v.Problems = append(v.Problems, fmt.Sprintf("%d of %d confirmed registrations missing on the surviving provider: %s",
			n, l.Checked.Registrations, first(l.Registrations)))
	}
	if n := len(l.Consents); n > 0 {
		v.Problems = append(v.Problems, fmt.Sprintf("%d of %d confirmed consents missing on the surviving provider: %s",
			n, l.Checked.Consents, first(l.Consents)))
	}
	var inWindows, failedIn, failedOut int
	var example string
	for _, o := range rec.outcomes {
		in := slices.ContainsFunc(wins, func(w window) bool { return w.overlaps(o.Begin, o.End) })
		if in {
			inWindows++
		}
		switch {
		case o.Failure == "":
		case in:
			failedIn++
		default:
			failedOut++
			if example == "" {
				example = fmt.Sprintf("%s at %.1fs: %s", o.Scenario, o.Begin.Seconds(), o.Failure)
			}
		}
	}
	if failedOut > 0 {
		v.Problems = append(v.Problems, fmt.Sprintf("%d iterations failed outside the fault windows (first: %s)", failedOut, example))
	}
	if budget := int(failureBudget * float64(inWindows)); failedIn > budget {
		v.Problems = append(v.Problems, fmt.Sprintf("%d of %d iterations in fault windows failed, budget %d (%.0f%%)",
			failedIn, inWindows, budget, 100*failureBudget))
	}
	return v
}

func first(ss []string) string {
	return strings.Join(ss[:min(len(ss), 5)], ", ")
}

// writeReport prints the table per phase and scenario, the failures by
// kind, and what the check afterwards found.
func writeReport(out io.Writer, rec *recorder, wins []window, l losses) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\tfrom\tto\tscenario\tstarted\tcompleted\tfailed\tp99\t")
	type kind struct{ phase, scenario, what string }
	kinds := map[kind]int{}
	for _, p := range phases(wins) {
		for _, sc := range []string{"code-flow-full", "client-credentials", "register"} {
			var started, failed int
			var h load.Histogram
			for _, o := range rec.outcomes {
				if o.Scenario != sc || o.Begin < p.Start || o.Begin >= p.End {
					continue
				}
				started++
				if o.Failure != "" {
					failed++
					kinds[kind{p.Name, sc, o.Failure}]++
				} else {
					h.Record(o.End - o.Begin)
				}
			}
			fmt.Fprintf(tw, "%s\t%.0fs\t%.0fs\t%s\t%d\t%d\t%d\t%s\t\n", p.Name, p.Start.Seconds(), min(p.End, runFor).Seconds(),
				sc, started, started-failed, failed, h.Quantile(0.99).Round(time.Millisecond))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nfailures by phase, scenario and step:")
	keys := make([]kind, 0, len(kinds))
	for k := range kinds {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b kind) int { return strings.Compare(a.phase+a.scenario+a.what, b.phase+b.scenario+b.what) })
	for _, k := range keys {
		fmt.Fprintf(out, "  %-50s %-18s %4d  %s\n", k.phase, k.scenario, kinds[k], k.what)
	}
	fmt.Fprintf(out, "\nafterwards, on provider B: %d of %d registrations and %d of %d consents found\n",
		l.Checked.Registrations-len(l.Registrations), l.Checked.Registrations,
		l.Checked.Consents-len(l.Consents), l.Checked.Consents)
	return nil
}
