package telemetry

import (
	"testing"

	dto "github.com/prometheus/client_model/go"
)

// series is one gathered sample: its labels and value (a histogram's is
// its sample count).
type series struct {
	labels map[string]string
	value  float64
}

// gather returns the series of the metric called name.
func gather(t *testing.T, m *Metrics, name string) []series {
	t.Helper()
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		var out []series
		for _, mt := range f.GetMetric() {
			s := series{labels: map[string]string{}}
			for _, l := range mt.GetLabel() {
				s.labels[l.GetName()] = l.GetValue()
			}
			s.value = sampleValue(mt)
			out = append(out, s)
		}
		return out
	}
	return nil
}

func sampleValue(mt *dto.Metric) float64 {
	switch {
	case mt.Counter != nil:
		return mt.Counter.GetValue()
	case mt.Gauge != nil:
		return mt.Gauge.GetValue()
	case mt.Histogram != nil:
		return float64(mt.Histogram.GetSampleCount())
	}
	return 0
}

// value is the value of the series of name with exactly these labels, and
// whether there is one.
func value(t *testing.T, m *Metrics, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	for _, s := range gather(t, m, name) {
		if sameLabels(s.labels, labels) {
			return s.value, true
		}
	}
	return 0, false
}

func sameLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
