package load

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: each power-of-two range of
// microseconds is split into 2^subBits linear buckets, so a recorded
// value is reported within 1/2^subBits (1.6 %) of what it was, as in
// HdrHistogram, in a few kilobytes whatever the number of requests.
const (
	subBits    = 6
	subBuckets = 1 << subBits
	// maxExp covers values up to 2^63 µs: every time.Duration.
	maxExp     = 64 - subBits
	numBuckets = subBuckets + maxExp*subBuckets
)

// Histogram records latencies in log-linear buckets of microseconds. It
// is not safe for concurrent use; Run guards its own.
type Histogram struct {
	counts [numBuckets]int64
	total  int64
	max    time.Duration
}

// Record adds one latency. Negative values count as zero.
func (h *Histogram) Record(d time.Duration) {
	d = max(d, 0)
	h.counts[bucketOf(uint64(d.Microseconds()))]++
	h.total++
	h.max = max(h.max, d)
}

// Count is the number of recorded values.
func (h *Histogram) Count() int64 { return h.total }

// Max is the largest recorded value, exactly.
func (h *Histogram) Max() time.Duration { return h.max }

// Merge adds the values recorded in o.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// Quantile returns the value below or at which a fraction q (0..1) of the
// recorded values lie: the upper edge of the bucket holding the value of
// rank ceil(q·count), never more than Max. Zero when nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(microseconds(bucketHigh(i)), h.max)
		}
	}
	return h.max
}

// bucketOf maps a value to its bucket: values below subBuckets have a
// bucket each; above, the top subBits+1 bits select the bucket.
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	exp := bits.Len64(v) - subBits - 1 // v>>exp is in [subBuckets, 2·subBuckets)
	return subBuckets + exp*subBuckets + int(v>>exp) - subBuckets
}

// bucketHigh is the largest value that falls into bucket i.
func bucketHigh(i int) uint64 {
	if i < subBuckets {
		return uint64(i)
	}
	exp := (i - subBuckets) / subBuckets
	mantissa := uint64(i-subBuckets)%subBuckets + subBuckets
	return (mantissa+1)<<exp - 1
}

// microseconds converts without overflowing: beyond what a Duration
// holds it saturates.
func microseconds(us uint64) time.Duration {
	if us > math.MaxInt64/uint64(time.Microsecond) {
		return math.MaxInt64
	}
	return time.Duration(us) * time.Microsecond
}
