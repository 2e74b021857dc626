package embedded

import (
	"context"
	"io"
	"log/slog"
	"net"

	"github.com/hashicorp/go-hclog"
)

// gldapLog carries gldap's hclog records into slog and watches them for
// the address gldap listens on.
//
// gldap's Server opens its own listener inside Run and does not expose it,
// so with port 0 nothing else tells which port the kernel chose. Run logs
// "listening" with the listener's net.Addr right after net.Listen succeeds
// and before it accepts; reading that typed value is race-free, unlike
// reserving a free port, closing it and hoping it is still free when gldap
// binds it. Start falls back on a timeout should a gldap upgrade drop the
// record, and the tests would catch that at once.
type gldapLog struct {
	log   *slog.Logger
	bound chan net.Addr
}

func newGldapLog(log *slog.Logger) *gldapLog {
	return &gldapLog{log: log, bound: make(chan net.Addr, 1)}
}

// logger returns the hclog logger to hand to gldap. Its own output is off:
// every record goes through Accept instead. Keeping its level off also
// keeps gldap from dumping every packet it reads and writes.
func (g *gldapLog) logger() hclog.Logger {
	l := hclog.NewInterceptLogger(&hclog.LoggerOptions{Name: "gldap", Level: hclog.Off, Output: io.Discard})
	l.RegisterSink(g)
	return l
}

// Accept implements hclog.SinkAdapter.
func (g *gldapLog) Accept(_ string, level hclog.Level, msg string, args ...any) {
	if msg == "listening" {
		g.noteAddr(args)
	}
	lvl := slog.LevelDebug
	if level >= hclog.Warn {
		lvl = slog.LevelWarn
	}
	if g.log.Enabled(context.Background(), lvl) {
		g.log.Log(context.Background(), lvl, "embedded directory: gldap: "+msg, args...)
	}
}

func (g *gldapLog) noteAddr(args []any) {
	for i := 0; i+1 < len(args); i += 2 {
		if addr, ok := args[i+1].(net.Addr); ok && args[i] == "addr" {
			select {
			case g.bound <- addr:
			default:
			}
			return
		}
	}
}
