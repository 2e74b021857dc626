package session

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// RedisObserver hears of every Redis command, for metrics: op is the
// command's name in lower case ("get", "set", "getdel"), "pipeline" for a
// pipeline of commands (sent and answered together, so timed together),
// or "dial" for a new connection. A missing key (redis.Nil) is not an
// error. It is called on the caller's goroutine: keep it fast.
type RedisObserver interface {
	ObserveRedis(op string, d time.Duration, err error)
}

// WithObserver has o told of every command r's client runs, from now on;
// it returns r. It adds a hook to the client, shared by every Redis made
// on it: call it once per client.
func (r *Redis) WithObserver(o RedisObserver) *Redis {
	r.client.AddHook(observeHook{o: o})
	return r
}

// Names of what the hooks see besides single commands.
const (
	redisOpPipeline = "pipeline"
	redisOpDial     = "dial"
)

// observeHook times every command for a RedisObserver.
type observeHook struct{ o RedisObserver }

func (h observeHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		start := time.Now()
		c, err := next(ctx, network, addr)
		h.o.ObserveRedis(redisOpDial, time.Since(start), err)
		return c, err
	}
}

func (h observeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		h.o.ObserveRedis(strings.ToLower(cmd.Name()), time.Since(start), failure(err))
		return err
	}
}

func (h observeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		h.o.ObserveRedis(redisOpPipeline, time.Since(start), failure(err))
		return err
	}
}

// redisScope names the instrumentation of the Redis store.
const redisScope = "github.com/gatehouse-idp/gatehouse/provider/session"

// traceHook makes a client span, redis.<command>, of every command, a
// child of the span in the command's context. Keys and values are never
// recorded: they are session ids, codes and their contents.
type traceHook struct {
	server []attribute.KeyValue // server.address and port, for a single server
}

func newTraceHook(addrs []string) traceHook {
	h := traceHook{}
	if len(addrs) != 1 {
		return h // a cluster: the node serving a key is not known here
	}
	host, port, err := net.SplitHostPort(addrs[0])
	if err != nil {
		return h
	}
	h.server = append(h.server, semconv.ServerAddress(host))
	if n, err := strconv.Atoi(port); err == nil {
		h.server = append(h.server, semconv.ServerPort(n))
	}
	return h
}

func (h traceHook) start(ctx context.Context, op string, extra ...attribute.KeyValue) (context.Context, trace.Span) {
	ctx, span := otel.Tracer(redisScope).Start(ctx, "redis."+op, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		span.SetAttributes(semconv.DBSystemNameRedis, semconv.DBOperationName(op))
		span.SetAttributes(h.server...)
		span.SetAttributes(extra...)
	}
	return ctx, span
}

func (h traceHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		ctx, span := h.start(ctx, redisOpDial)
		c, err := next(ctx, network, addr)
		endSpan(span, err)
		return c, err
	}
}

func (h traceHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		ctx, span := h.start(ctx, strings.ToLower(cmd.Name()))
		err := next(ctx, cmd)
		endSpan(span, failure(err))
		return err
	}
}

func (h traceHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		ctx, span := h.start(ctx, redisOpPipeline, semconv.DBOperationBatchSize(len(cmds)))
		err := next(ctx, cmds)
		endSpan(span, failure(err))
		return err
	}
}

// endSpan ends span with the kind of err, not its text.
func endSpan(span trace.Span, err error) {
	if err != nil && span.IsRecording() {
		kind := redisErrorKind(err)
		span.SetAttributes(semconv.ErrorTypeKey.String(kind))
		span.SetStatus(codes.Error, kind)
	}
	span.End()
}

// failure is err unless it only says that a key is missing.
func failure(err error) error {
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}

// redisErrorKind names an error without its text: the server's error
// code (WRONGTYPE, READONLY, OOM…), a timeout, a cancellation, or a
// network failure.
func redisErrorKind(err error) string {
	var rerr redis.Error
	var nerr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &rerr):
		code, _, _ := strings.Cut(rerr.Error(), " ")
		return code
	case errors.As(err, &nerr):
		return "network"
	}
	return "other"
}
