package load

import (
	"math"
	"testing"
	"time"
)

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
		tol    float64 // relative
	}{
		{name: "empty", q: 0.5, want: 0},
		{name: "one value is every quantile", values: []time.Duration{7 * time.Millisecond}, q: 0.99, want: 7 * time.Millisecond, tol: 1.0 / subBuckets},
		{name: "small values are exact", values: us(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), q: 0.5, want: 5 * time.Microsecond},
		{name: "p50 of 1..1000ms", values: msRange(1000), q: 0.5, want: 500 * time.Millisecond, tol: 1.0 / subBuckets},
		{name: "p90 of 1..1000ms", values: msRange(1000), q: 0.9, want: 900 * time.Millisecond, tol: 1.0 / subBuckets},
		{name: "p99 of 1..1000ms", values: msRange(1000), q: 0.99, want: 990 * time.Millisecond, tol: 1.0 / subBuckets},
		{name: "p100 is the exact max", values: msRange(1000), q: 1, want: 1000 * time.Millisecond},
		{name: "an outlier shows at p99 of 100", values: append(msRange(99), time.Minute), q: 0.995, want: time.Minute},
		{name: "negative counts as zero", values: []time.Duration{-time.Second}, q: 0.5, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tc.values {
				h.Record(v)
			}
			got := h.Quantile(tc.q)
			if diff := math.Abs(float64(got - tc.want)); diff > tc.tol*float64(tc.want) {
				t.Errorf("Quantile(%v) = %v, want %v within %.1f%%", tc.q, got, tc.want, tc.tol*100)
			}
		})
	}
}

func TestHistogramBucketsCoverEveryValue(t *testing.T) {
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 129, 1000, 123456, 1 << 40, math.MaxInt64 / 1000, math.MaxUint64} {
		i := bucketOf(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0,%d)", v, i, numBuckets)
		}
		high := bucketHigh(i)
		if high < v {
			t.Errorf("bucket %d of %d ends at %d, below the value", i, v, high)
		}
		if v >= subBuckets && float64(high-v) > float64(v)/subBuckets {
			t.Errorf("bucket of %d ends at %d: more than 1/%d above", v, high, subBuckets)
		}
		if i > 0 && bucketHigh(i-1) >= v {
			t.Errorf("value %d also fits the bucket before (ends %d)", v, bucketHigh(i-1))
		}
	}
}

func TestHistogramMergeAndMax(t *testing.T) {
	var a, b Histogram
	for _, v := range msRange(10) {
		a.Record(v)
	}
	b.Record(3 * time.Second)
	a.Merge(&b)
	if a.Count() != 11 || a.Max() != 3*time.Second || a.Quantile(1) != 3*time.Second {
		t.Errorf("merged: count %d, max %v, p100 %v", a.Count(), a.Max(), a.Quantile(1))
	}
}

func us(vs ...int) []time.Duration {
	out := make([]time.Duration, len(vs))
	for i, v := range vs {
		out[i] = time.Duration(v) * time.Microsecond
	}
	return out
}

func msRange(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * time.Millisecond
	}
	return out
}
