package chaos

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// cutEvery is how often the cut fault resets A's connections while it
// holds: a flapping network rather than one blip.
const cutEvery = 500 * time.Millisecond

// Fault is one thing that goes wrong, and how it is undone.
type Fault struct {
	Name string
	// What is the fault in a few words, for the table's legend.
	What string
	// Expect is what a correct server does meanwhile, for the docs.
	Expect string
	// URLs are the directories Gatehouse is given, in order.
	URLs func(w *World) []string
	// Redis keeps sessions in Redis.
	Redis  bool
	Inject func(ctx context.Context, w *World, cfg Config) error
	Heal   func(ctx context.Context, w *World, cfg Config) error
}

func bothDirect(w *World) []string   { return []string{w.A.URL, w.B.URL} }
func proxiedFirst(w *World) []string { return []string{w.ProxyURL(), w.B.URL} }
func onlyA(w *World) []string        { return []string{w.A.URL} }

// faults are every fault, in the order a full run injects them.
func faults() []Fault {
	cut := &cutter{}
	return []Fault{
		{
			Name: "directory-a-killed", What: "slapd A stopped (port refused), then started on the same port",
			Expect: "failover to B; 503 only while no server answers",
			URLs:   bothDirect,
			Inject: func(_ context.Context, w *World, _ Config) error { return w.A.Stop() },
			Heal:   func(ctx context.Context, w *World, _ Config) error { return w.A.Start(ctx) },
		},
		{
			Name: "directory-a-stopped", What: "slapd A SIGSTOP (accepts, never answers), then SIGCONT",
			Expect: "an answer to every request: 200 via B once the hang is noticed, or 503",
			URLs:   bothDirect,
			Inject: func(_ context.Context, w *World, _ Config) error { return w.A.Pause() },
			Heal:   func(_ context.Context, w *World, _ Config) error { return w.A.Resume() },
		},
		{
			Name: "directory-a-slow", What: "proxy adds the slowdown to every answer of A",
			Expect: "answers within the request deadline; failover once the probe times out",
			URLs:   proxiedFirst,
			Inject: func(_ context.Context, w *World, cfg Config) error {
				w.ProxyA.SetLatency(0, cfg.Slowdown)
				return nil
			},
			Heal: func(_ context.Context, w *World, _ Config) error { w.ProxyA.SetLatency(0, 0); return nil },
		},
		{
			Name: "directory-a-cut", What: "proxy resets every connection to A every 0.5 s",
			Expect: "reconnects or failover; no request lost to a reset pool connection",
			URLs:   proxiedFirst,
			Inject: func(_ context.Context, w *World, _ Config) error { cut.start(w); return nil },
			Heal:   func(_ context.Context, _ *World, _ Config) error { cut.stop(); return nil },
		},
		{
			Name: "directories-all-stopped", What: "slapd A and B SIGSTOP, then SIGCONT",
			Expect: "503 within the deadline for what needs the directory; recovery after resume",
			URLs:   bothDirect,
			Inject: func(_ context.Context, w *World, _ Config) error {
				return errors.Join(w.A.Pause(), w.B.Pause())
			},
			Heal: func(_ context.Context, w *World, _ Config) error {
				return errors.Join(w.A.Resume(), w.B.Resume())
			},
		},
		{
			Name: "redis-killed", What: "redis-server SIGKILL, restarted empty on the same port",
			Expect: "code flows answered temporarily_unavailable or 503; sessions lost, signed in again after; client credentials unaffected",
			URLs:   onlyA, Redis: true,
			Inject: func(_ context.Context, w *World, _ Config) error { return w.Redis.Kill() },
			Heal:   func(ctx context.Context, w *World, _ Config) error { return w.Redis.Start(ctx) },
		},
		{
			Name: "redis-stopped", What: "redis-server SIGSTOP, then SIGCONT",
			Expect: "code flows answered temporarily_unavailable or 503 within the deadline; client credentials unaffected",
			URLs:   onlyA, Redis: true,
			Inject: func(_ context.Context, w *World, _ Config) error { return w.Redis.Pause() },
			Heal:   func(_ context.Context, w *World, _ Config) error { return w.Redis.Resume() },
		},
	}
}

// FaultNames lists the faults in the order a full run injects them.
func FaultNames() []string {
	var names []string
	for _, f := range faults() {
		names = append(names, f.Name)
	}
	return names
}

func faultByName(name string) (Fault, bool) {
	all := faults()
	i := slices.IndexFunc(all, func(f Fault) bool { return f.Name == name })
	if i < 0 {
		return Fault{}, false
	}
	return all[i], true
}

// selected returns the faults names asks for, all when it is empty.
func selected(names []string) []Fault {
	if len(names) == 0 {
		return faults()
	}
	var out []Fault
	for _, n := range names {
		if f, ok := faultByName(n); ok {
			out = append(out, f)
		}
	}
	return out
}

// cutter resets A's connections on a ticker until stopped.
type cutter struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func (c *cutter) start(w *World) {
	c.done = make(chan struct{})
	c.wg.Go(func() {
		t := time.NewTicker(cutEvery)
		defer t.Stop()
		for {
			w.ProxyA.Cut()
			select {
			case <-c.done:
				return
			case <-t.C:
			}
		}
	})
}

func (c *cutter) stop() {
	if c.done != nil {
		close(c.done)
		c.wg.Wait()
		c.done = nil
	}
}
