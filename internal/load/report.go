package load

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable prints summaries as one table, a row per run. When some
// row has a LimitRatio, a last column "× limit" shows them.
func WriteTable(w io.Writer, sums []*Summary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	ratios := slices.ContainsFunc(sums, func(s *Summary) bool { return s.LimitRatio > 0 })
	head := "scenario\tmode\titerations\thttp reqs\tok\tfailures\titer/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tpeak RSS MiB\t"
	if ratios {
		head += "× limit\t"
	}
	fmt.Fprintln(tw, head)
	for _, s := range sums {
		mode := fmt.Sprintf("closed/%d", s.Workers)
		if s.Mode == "open" {
			mode = fmt.Sprintf("open/%g/s", s.Rate)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t",
			s.Scenario, mode, s.Iterations, s.HTTPRequests, s.OK, FormatFailures(s.Failures),
			s.Throughput, s.Latency.P50, s.Latency.P90, s.Latency.P99, s.Latency.Max, formatRSS(s.PeakRSS))
		if ratios {
			fmt.Fprintf(tw, "%s\t", formatRatio(s.LimitRatio))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// WriteJSON prints summaries as a JSON array.
func WriteJSON(w io.Writer, sums []*Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sums)
}

// FormatFailures lists failure counts by class, sorted: "http_500:3 timeout:1",
// or "-" for none.
func FormatFailures(f map[string]int64) string {
	var parts []string
	for class, n := range f {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s:%d", class, n))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// formatRatio shows a LimitRatio: "0.83×", or "-" for the limit row itself.
func formatRatio(r float64) string {
	if r <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", r)
}

func formatRSS(b int64) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(b)/(1<<20))
}
