package rig

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/proctest"
)

// Bounds of a Gatehouse's life.
const (
	gatehouseStart = 20 * time.Second
	gatehouseGrace = 25 * time.Second // a little over serve's own shutdown grace
	startAttempts  = 3                // when another process took the free port first
)

// GatehouseOptions describe one `gatehouse serve`.
type GatehouseOptions struct {
	// Binary is the gatehouse executable (bin/gatehouse).
	Binary string
	// Dir holds its configuration, key set and secret files.
	Dir string
	// Addr is host:port to listen on; empty picks a free loopback port.
	// The issuer is http://Addr.
	Addr string
	// LDAPURLs, BindDN and BindPassword reach the directory.
	LDAPURLs     []string
	BindDN       string
	BindPassword string
	// RedisAddrs, when set, keep sessions in Redis. The rig's Redis has
	// no password: Gatehouse reads that only from its environment, which
	// a child shares with the whole generator.
	RedisAddrs []string
	// MasterToken authorises /clients.
	MasterToken string
	// LDAPYAML holds further keys of the ldap section, one "key: value"
	// a line without indentation (timeout: 1s), for keys the rig does not
	// write: a second ldap section would be a duplicate key.
	LDAPYAML string
	// AccessTokenAlg is op.token.accessTokenAlg; empty keeps the default.
	AccessTokenAlg string
	// ExtraYAML is appended to the generated configuration: top-level
	// keys the rig does not write (http, tls, templates, demo).
	ExtraYAML string
	// Issuer, when set, is the issuer instead of http://Addr: for
	// instances behind a load balancer, which all name its address.
	Issuer string
	// KeysFile, when set, is the key set instead of Dir/jwks.json: one
	// file shared by instances that must sign alike.
	KeysFile string
	// Sentinel, when its Addrs are set, keeps sessions in the Redis
	// master those sentinels name (sessions.redis.sentinel), instead of
	// RedisAddrs.
	Sentinel Sentinel
}

// Sentinel is where Redis Sentinel runs and the master's name.
type Sentinel struct {
	MasterName string
	Addrs      []string
}

// Gatehouse is a running `gatehouse serve`.
type Gatehouse struct {
	URL        string // http://127.0.0.1:PORT, also the issuer
	Addr       string
	ConfigPath string
	opts       GatehouseOptions
	proc       *proctest.Process
}

// StartGatehouse writes a configuration and starts gatehouse serve, and
// returns once /health/live answers. The caller stops it.
func StartGatehouse(ctx context.Context, opts GatehouseOptions) (*Gatehouse, error) {
	var err error
	for range startAttempts {
		g := &Gatehouse{opts: opts, Addr: opts.Addr}
		if g.Addr == "" {
			if g.Addr, err = freeAddr(); err != nil {
				return nil, err
			}
		}
		g.URL = "http://" + g.Addr
		if err = g.writeConfig(); err != nil {
			return nil, err
		}
		if err = g.launch(ctx); err == nil {
			return g, nil
		}
		if opts.Addr != "" || !strings.Contains(err.Error(), "already in use") {
			break
		}
	}
	return nil, err
}

// PID is the process id, for memory sampling and signals.
func (g *Gatehouse) PID() int { return g.proc.Pid() }

// Output is the beginning of what the server logged.
func (g *Gatehouse) Output() string { return g.proc.Output() }

// Signal sends sig (SIGSTOP and SIGCONT freeze and thaw it).
func (g *Gatehouse) Signal(sig os.Signal) error { return g.proc.Signal(sig) }

// Stop asks the server to stop as an init system would (SIGTERM) and
// waits; it is killed after the grace. An exit other than 0 after SIGTERM
// is reported with the server's output.
func (g *Gatehouse) Stop() error {
	if g.proc.Exited() {
		return g.exitError("gatehouse had exited before Stop")
	}
	if err := g.proc.Terminate(gatehouseGrace); err != nil {
		return err
	}
	if err := g.proc.WaitErr(); err != nil {
		return g.exitError("gatehouse stopped badly")
	}
	return nil
}

// Kill stops the server at once, as a crash would.
func (g *Gatehouse) Kill() error { return g.proc.Kill() }

// Start starts a server that Kill ended again, on the same address and
// configuration, and returns once /health/live answers.
func (g *Gatehouse) Start(ctx context.Context) error {
	if !g.proc.Exited() {
		return errors.New("rig: gatehouse is running")
	}
	return g.launch(ctx)
}

// Restart stops the server (SIGTERM) and starts it again on the same
// address and configuration.
func (g *Gatehouse) Restart(ctx context.Context) error {
	if err := g.Stop(); err != nil {
		return err
	}
	return g.launch(ctx)
}

func (g *Gatehouse) exitError(what string) error {
	return fmt.Errorf("rig: %s: %v\n%s", what, g.proc.WaitErr(), g.proc.Output())
}

func (g *Gatehouse) launch(ctx context.Context) error {
	proc, err := proctest.Start(g.opts.Binary, "serve", "--config", g.ConfigPath)
	if err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	if err := waitLive(ctx, proc, g.URL); err != nil {
		return errors.Join(err, proc.Kill())
	}
	g.proc = proc
	return nil
}

// waitLive polls /health/live until it answers, the process exits, or the
// start takes too long.
func waitLive(ctx context.Context, proc *proctest.Process, base string) error {
	ctx, cancel := context.WithTimeout(ctx, gatehouseStart)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	delay := 5 * time.Millisecond
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/health/live", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close() // only the status matters
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-proc.Done():
			return fmt.Errorf("rig: gatehouse exited while starting: %v\n%s", proc.WaitErr(), proc.Output())
		case <-ctx.Done():
			return fmt.Errorf("rig: gatehouse not live at %s: %w\n%s", base, ctx.Err(), proc.Output())
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// writeConfig writes the server's YAML and the secret files it names.
func (g *Gatehouse) writeConfig() error {
	o := g.opts
	pwFile := filepath.Join(o.Dir, "ldap-password")
	if err := os.WriteFile(pwFile, []byte(o.BindPassword), 0o600); err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	sum := sha256.Sum256([]byte(o.MasterToken))
	var b strings.Builder
	issuer, keys := orDefault(o.Issuer, g.URL), orDefault(o.KeysFile, filepath.Join(o.Dir, "jwks.json"))
	fmt.Fprintf(&b, "issuer: %s\nlisten: %s\nkeys: {file: %q}\n", issuer, g.Addr, keys)
	fmt.Fprintf(&b, "ldap:\n  urls: [%s]\n  bindDN: %q\n  bindPasswordFile: %q\n", strings.Join(quoteAll(o.LDAPURLs), ", "), o.BindDN, pwFile)
	for line := range strings.Lines(o.LDAPYAML) {
		if line = strings.TrimSpace(line); line != "" {
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	if len(o.Sentinel.Addrs) > 0 {
		fmt.Fprintf(&b, "sessions: {store: redis, redis: {sentinel: {masterName: %q, addrs: [%s]}}}\n",
			o.Sentinel.MasterName, strings.Join(quoteAll(o.Sentinel.Addrs), ", "))
	} else if len(o.RedisAddrs) > 0 {
		fmt.Fprintf(&b, "sessions: {store: redis, redis: {addrs: [%s]}}\n", strings.Join(quoteAll(o.RedisAddrs), ", "))
	}
	fmt.Fprintf(&b, "op:\n  reg: {masterTokenSHA256: %s}\n", hex.EncodeToString(sum[:]))
	if o.AccessTokenAlg != "" {
		fmt.Fprintf(&b, "  token: {accessTokenAlg: %s}\n", o.AccessTokenAlg)
	}
	b.WriteString("log: {level: warn, format: text}\n")
	b.WriteString(o.ExtraYAML)
	g.ConfigPath = filepath.Join(o.Dir, "gatehouse.yaml")
	if err := os.WriteFile(g.ConfigPath, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("rig: %w", err)
	}
	return nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("rig: find a free port: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("rig: release probe port: %w", err)
	}
	return addr, nil
}
