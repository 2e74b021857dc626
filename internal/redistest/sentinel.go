package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Sentinel timing: a master that does not answer for downAfter is taken
// for down, and a failover that has not finished in failoverTimeout is
// tried again. Short, so that a test fails over in a second or two.
const (
	downAfter       = 500 * time.Millisecond
	failoverTimeout = 2 * time.Second
	// sentinelReady bounds how long the sentinels may take to learn of
	// the replica (and of each other) after they start.
	sentinelReady = 15 * time.Second
)

// SentinelOptions tune a Sentinel group. The zero value is a master named
// "mymaster", one replica and one sentinel, without passwords.
type SentinelOptions struct {
	// MasterName is the name the sentinels monitor the master by.
	MasterName string
	// Sentinels is how many sentinel processes run, 1 to 3; the quorum is 1.
	Sentinels int
	// Password is required by master and replica (requirepass), and given
	// by the sentinels and the replica (auth-pass, masterauth).
	Password string
	// SentinelPassword is required by the sentinels themselves.
	SentinelPassword string
}

// Sentinel is a master, one replica of it, and sentinels that monitor it.
type Sentinel struct {
	MasterName string
	// Master and Replica are the servers as started; after a failover
	// Replica is the master.
	Master, Replica *Server
	Sentinels       []*Server

	password string
}

// sentinelSpec makes a Server a sentinel (redis-server --sentinel).
type sentinelSpec struct {
	masterName, masterAddr, masterPassword string
}

// NewSentinel starts a master, a replica and the sentinels for one test,
// and returns once every sentinel knows the replica, in sync with the
// master, and the other sentinels. All stop when the test ends.
func NewSentinel(t testing.TB, opts SentinelOptions) *Sentinel {
	t.Helper()
	if opts.MasterName == "" {
		opts.MasterName = "mymaster"
	}
	if opts.Sentinels < 1 || opts.Sentinels > 3 {
		opts.Sentinels = 1
	}
	s := &Sentinel{MasterName: opts.MasterName, password: opts.SentinelPassword}
	// Without a delay the master sends its first snapshot at once; by
	// default it waits 5 s for more replicas to share it.
	fast := []string{"--repl-diskless-sync-delay", "0"}
	s.Master = New(t, Options{Password: opts.Password, Args: fast})
	s.Replica = New(t, Options{Password: opts.Password, ReplicaOf: s.Master.Addr, Args: fast})
	spec := &sentinelSpec{masterName: opts.MasterName, masterAddr: s.Master.Addr, masterPassword: opts.Password}
	for i := range opts.Sentinels {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("sentinel%d", i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		s.Sentinels = append(s.Sentinels, newServer(t, dir, Options{Password: opts.SentinelPassword}, role{sentinel: spec}))
	}
	ctx, cancel := context.WithTimeout(t.Context(), sentinelReady)
	defer cancel()
	if err := s.waitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// Addrs are the sentinels' addresses.
func (s *Sentinel) Addrs() []string {
	addrs := make([]string, len(s.Sentinels))
	for i, sn := range s.Sentinels {
		addrs[i] = sn.Addr
	}
	return addrs
}

// MasterAddr asks the first sentinel where the master is now.
func (s *Sentinel) MasterAddr(ctx context.Context) (string, error) {
	c := s.client(0)
	defer func() { _ = c.Close() }()
	hp, err := c.GetMasterAddrByName(ctx, s.MasterName).Result()
	if err != nil {
		return "", fmt.Errorf("redistest: sentinel get-master-addr-by-name: %w", err)
	}
	return net.JoinHostPort(hp[0], hp[1]), nil
}

// Failover has the first sentinel fail the master over to the replica
// now, without waiting for the master to be down (SENTINEL FAILOVER).
func (s *Sentinel) Failover(ctx context.Context) error {
	c := s.client(0)
	defer func() { _ = c.Close() }()
	if err := c.Failover(ctx, s.MasterName).Err(); err != nil {
		return fmt.Errorf("redistest: sentinel failover: %w", err)
	}
	return nil
}

func (s *Sentinel) client(i int) *redis.SentinelClient {
	return redis.NewSentinelClient(&redis.Options{Addr: s.Sentinels[i].Addr, Password: s.password, MaxRetries: -1})
}

// waitReady polls the sentinels until each knows a replica whose link to
// the master is up, and the other sentinels: a failover needs both.
func (s *Sentinel) waitReady(ctx context.Context) error {
	var last error
	for {
		last = s.ready(ctx)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redistest: sentinels not ready: %w (last: %v)", ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Sentinel) ready(ctx context.Context) error {
	for i := range s.Sentinels {
		if err := s.sentinelReady(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sentinel) sentinelReady(ctx context.Context, i int) error {
	c := s.client(i)
	defer func() { _ = c.Close() }()
	replicas, err := c.Replicas(ctx, s.MasterName).Result()
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(replicas, func(r map[string]string) bool {
		return r["flags"] == "slave" && r["master-link-status"] == "ok"
	}) {
		return fmt.Errorf("sentinel %d: no replica in sync yet: %v", i, replicas)
	}
	master, err := c.Master(ctx, s.MasterName).Result()
	if err != nil {
		return err
	}
	if want := fmt.Sprint(len(s.Sentinels) - 1); master["num-other-sentinels"] != want {
		return fmt.Errorf("sentinel %d knows %s other sentinels, want %s", i, master["num-other-sentinels"], want)
	}
	return nil
}

// sentinelArgs writes the sentinel's configuration file, which the
// sentinel rewrites as it learns, and returns its command line.
func (s *Server) sentinelArgs(port int) ([]string, error) {
	sp := s.role.sentinel
	host, mport, err := net.SplitHostPort(sp.masterAddr)
	if err != nil {
		return nil, fmt.Errorf("redistest: master address: %w", err)
	}
	name := sp.masterName
	lines := []string{
		fmt.Sprintf("port %d", port),
		"bind 127.0.0.1",
		"daemonize no",
		`logfile ""`,
		"dir " + s.Dir,
		fmt.Sprintf("sentinel monitor %s %s %s 1", name, host, mport),
		fmt.Sprintf("sentinel down-after-milliseconds %s %d", name, downAfter.Milliseconds()),
		fmt.Sprintf("sentinel failover-timeout %s %d", name, failoverTimeout.Milliseconds()),
	}
	if sp.masterPassword != "" {
		lines = append(lines, fmt.Sprintf("sentinel auth-pass %s %s", name, sp.masterPassword))
	}
	if s.opts.Password != "" {
		lines = append(lines, "requirepass "+s.opts.Password)
	}
	conf := filepath.Join(s.Dir, "sentinel.conf")
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	return []string{conf, "--sentinel"}, nil
}

var errSentinelOptions = errors.New("redistest: a sentinel takes only a Password")
