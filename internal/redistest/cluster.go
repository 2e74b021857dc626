package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterNodeTimeout is how long a cluster node may not answer before the
// others take it for failing.
const clusterNodeTimeout = 2 * time.Second

// clusterReady bounds how long the nodes may take to agree that the
// cluster is up after they meet.
const clusterReady = 15 * time.Second

// slots is the number of hash slots of a Redis Cluster.
const slots = 16384

// Cluster is a Redis Cluster of masters without replicas, sharing the
// hash slots evenly.
type Cluster struct {
	Nodes []*Server
}

// NewCluster starts a cluster of masters (at least 3 make sense) for one
// test, and returns once every node reports cluster_state:ok. The nodes
// stop when the test ends. This is what `redis-cli --cluster create
// --cluster-replicas 0` does, without needing redis-cli.
func NewCluster(t testing.TB, masters int) *Cluster {
	t.Helper()
	c := &Cluster{}
	for i := range masters {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("node%d", i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		c.Nodes = append(c.Nodes, newServer(t, dir, Options{}, role{cluster: true}))
	}
	ctx, cancel := context.WithTimeout(t.Context(), clusterReady)
	defer cancel()
	if err := c.form(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

// Addrs are the nodes' addresses, to seed a cluster client with.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		addrs[i] = n.Addr
	}
	return addrs
}

// form gives each node its share of the slots, has the nodes meet, and
// waits for every node to see the whole cluster.
func (c *Cluster) form(ctx context.Context) error {
	clients := make([]*redis.Client, len(c.Nodes))
	for i, n := range c.Nodes {
		clients[i] = redis.NewClient(&redis.Options{Addr: n.Addr, MaxRetries: -1})
		defer func() { _ = clients[i].Close() }()
	}
	for i, cl := range clients {
		lo, hi := i*slots/len(clients), (i+1)*slots/len(clients)-1
		if err := cl.ClusterAddSlotsRange(ctx, lo, hi).Err(); err != nil {
			return fmt.Errorf("redistest: cluster addslotsrange on %s: %w", c.Nodes[i].Addr, err)
		}
	}
	// Every node meets every other, rather than waiting for gossip to
	// spread the news.
	for i, cl := range clients {
		for _, n := range c.Nodes[i+1:] {
			host, port, _ := net.SplitHostPort(n.Addr)
			if err := cl.Do(ctx, "cluster", "meet", host, port, strconv.Itoa(n.busPort)).Err(); err != nil {
				return fmt.Errorf("redistest: cluster meet %s: %w", n.Addr, err)
			}
		}
	}
	return c.waitOK(ctx, clients)
}

func (c *Cluster) waitOK(ctx context.Context, clients []*redis.Client) error {
	want := fmt.Sprintf("cluster_known_nodes:%d", len(clients))
	for {
		last := ""
		for i, cl := range clients {
			info, err := cl.ClusterInfo(ctx).Result()
			if err != nil {
				last = err.Error()
			} else if !strings.Contains(info, "cluster_state:ok") || !strings.Contains(info, want) {
				state, _, _ := strings.Cut(info, "\n")
				last = fmt.Sprintf("node %s: %s", c.Nodes[i].Addr, strings.TrimSpace(state))
			}
			if last != "" {
				break
			}
		}
		if last == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redistest: cluster not ready: %w (last: %s)", ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
