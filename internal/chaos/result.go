package chaos

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// Result is what one fault's phase measured.
type Result struct {
	Fault string
	figures
	// HTTPRequests is the number of requests the iterations made.
	HTTPRequests int64
	// Window is when the fault held, from the start of the load.
	Window window
	// Streams are the per-scenario summaries.
	Streams []*load.Summary
	// Kinds are the failures by scenario, class and step.
	Kinds []FailureKind
	// Problems say why the phase fails the suite; empty when it passed.
	Problems []string
	// Log holds the server's error lines when something failed.
	Log []string
}

// Failed reports whether the phase fails the suite.
func (r *Result) Failed() bool { return len(r.Problems) > 0 }

// Column groups of the failure classes.
func (r *Result) count(pick func(class string) bool) int64 {
	var n int64
	for class, c := range r.Classes {
		if pick(class) {
			n += c
		}
	}
	return n
}

const class503 = "http_503"
const class500 = "http_500"

// noAnswer: the request got nothing back, or nothing was listening —
// Gatehouse always listens, so a refusal means it died.
func noAnswer(class string) bool { return load.IsNoAnswer(class) || class == load.ClassRefused }

func otherFailure(class string) bool {
	return class != class503 && class != class500 && class != load.ClassDropped && !noAnswer(class)
}

// judge fills Problems from the figures.
func (r *Result) judge(recoverWindow time.Duration) {
	if n := r.count(noAnswer); n > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d requests got no answer (%s)", n, r.classesWhere(noAnswer)))
	}
	if n := r.Classes[class500]; n > 0 {
		r.Problems = append(r.Problems, fmt.Sprintf("%d requests answered 500", n))
	}
	if !r.Recovered {
		r.Problems = append(r.Problems, fmt.Sprintf("no second without failures within %v of the heal", recoverWindow))
	}
}

func (r *Result) classesWhere(pick func(string) bool) string {
	sub := map[string]int64{}
	for class, c := range r.Classes {
		if pick(class) {
			sub[class] = c
		}
	}
	return load.FormatFailures(sub)
}

// WriteTable writes one row per fault.
func WriteTable(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "fault\titerations\thttp reqs\tok\t503\t500\tno answer\tother\tdropped\tp99 ms (fault)\tp99 ms\tmax ms\trecovery\tverdict")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%.0f\t%.0f\t%.0f\t%s\t%s\n",
			r.Fault, r.Iterations, r.HTTPRequests, r.OK, r.Classes[class503], r.Classes[class500],
			r.count(noAnswer), orDash(r.classesWhere(otherFailure)), r.Classes[load.ClassDropped],
			ms(r.P99Fault), ms(r.P99), ms(r.Max), recovery(r), verdict(r))
	}
	return tw.Flush()
}

// WriteDetails writes the per-scenario breakdown and every problem with
// the server's error lines.
func WriteDetails(w io.Writer, results []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "fault\tscenario\titerations\tok\tfailures\tp99 ms\tmax ms")
	for _, r := range results {
		for _, s := range r.Streams {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%.0f\t%.0f\n", r.Fault, s.Scenario, s.Iterations, s.OK,
				load.FormatFailures(s.Failures), s.Latency.P99, s.Latency.Max)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "fault\tscenario\tclass\tcount\twhat failed")
	for _, r := range results {
		for _, k := range r.Kinds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.Fault, k.Scenario, k.Class, k.Count, k.What)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
		for _, p := range r.Problems {
			fmt.Fprintf(w, "FAIL %s: %s\n", r.Fault, p)
		}
		for _, l := range r.Log {
			fmt.Fprintf(w, "  %s | %s\n", r.Fault, l)
		}
	}
	return nil
}

// AnyFailed reports whether any phase fails the suite.
func AnyFailed(results []*Result) bool {
	return slices.ContainsFunc(results, (*Result).Failed)
}

func recovery(r *Result) string {
	if !r.Recovered {
		return "none"
	}
	return fmt.Sprintf("%.1fs", r.Recovery.Seconds())
}

func verdict(r *Result) string {
	if r.Failed() {
		return "FAIL"
	}
	return "ok"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// errorLines picks the server's error lines (at most max) from its log.
func errorLines(log string, limit int) []string {
	var out []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, "panic") {
			out = append(out, strings.TrimRight(line, "\n"))
			if len(out) == limit {
				break
			}
		}
	}
	return out
}
