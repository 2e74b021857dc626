package session

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// RouteRedisLogs sends what go-redis logs on its own (reconnects, pool
// trouble, cluster state) to log at debug level, as structured lines with
// component=redis, instead of its unstructured lines on standard error.
// What matters to an operator already reaches the log as the errors the
// store returns, each naming the session store. A nil log discards.
//
// go-redis keeps its logger in one variable for the whole process: call
// this once at start, before DialRedis.
func RouteRedisLogs(log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	redis.SetLogger(redisLogger{log: log.With("component", "redis")})
}

type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	if !l.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	l.log.DebugContext(ctx, fmt.Sprintf(format, v...))
}
