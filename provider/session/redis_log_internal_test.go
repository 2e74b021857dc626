package session

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestRedisLogger(t *testing.T) {
	tests := []struct {
		name  string
		level slog.Level
		want  string
	}{
		{"debug lines at debug level", slog.LevelDebug, `level=DEBUG msg="redis: pool: conn 7 closed" component=redis`},
		{"nothing at info level", slog.LevelInfo, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tc.level}))
			redisLogger{log: log.With("component", "redis")}.Printf(context.Background(), "redis: pool: conn %d closed", 7)
			got := strings.TrimSpace(buf.String())
			if tc.want == "" && got != "" || !strings.HasSuffix(got, tc.want) {
				t.Fatalf("logged %q, want a line ending in %q", got, tc.want)
			}
		})
	}
}
