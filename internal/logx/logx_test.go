package logx

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestTruncate(t *testing.T) {
	long := strings.Repeat("é", 200) // 400 bytes
	tests := []struct {
		name string
		attr slog.Attr
		want string
	}{
		{name: "short string kept", attr: slog.String("k", "abc"), want: "abc"},
		{name: "at the limit kept", attr: slog.String("k", strings.Repeat("a", MaxValueBytes)), want: strings.Repeat("a", MaxValueBytes)},
		{name: "one over cut", attr: slog.String("k", strings.Repeat("a", MaxValueBytes+1)), want: strings.Repeat("a", MaxValueBytes) + "…(257 bytes)"},
		{name: "cut on a character boundary", attr: slog.String("k", long), want: strings.Repeat("é", 128) + "…(400 bytes)"},
		{name: "long error cut", attr: slog.Any("err", errors.New(strings.Repeat("x", 1000))), want: strings.Repeat("x", MaxValueBytes) + "…(1000 bytes)"},
		{name: "number untouched", attr: slog.Int("n", 5), want: "5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Truncate(nil, tc.attr).Value.String(); got != tc.want {
				t.Errorf("got %q (%d bytes), want %q", got, len(got), tc.want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Unix(0, 0)
	var buf bytes.Buffer
	log := slog.New(RateLimit(slog.NewTextHandler(&buf, nil), Limits{
		Burst: 2, Interval: 10 * time.Second, Clock: func() time.Time { return now },
	}))
	for range 10 {
		log.Warn("directory unavailable", "n", 1)
		log.Info("request") // never limited
	}
	log.With("component", "ldap").Error("other message") // its own kind
	if got := strings.Count(buf.String(), "directory unavailable"); got != 2 {
		t.Fatalf("%d warnings passed in the first interval, want 2:\n%s", got, buf.String())
	}
	if got := strings.Count(buf.String(), "msg=request"); got != 10 {
		t.Fatalf("%d info lines, want all 10", got)
	}
	if !strings.Contains(buf.String(), "other message") {
		t.Fatal("another message was held back with the first")
	}
	buf.Reset()
	now = now.Add(10 * time.Second)
	log.Warn("directory unavailable")
	if !strings.Contains(buf.String(), "suppressed_since_last=8") {
		t.Fatalf("the next line after the interval does not count what was held back:\n%s", buf.String())
	}
}
