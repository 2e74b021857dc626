package adtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/proctest"
)

// stopGrace is how long Samba may take to stop after SIGTERM (under 2 s
// when healthy) before it is killed.
const stopGrace = 5 * time.Second

// launch starts Samba and waits until it answers binds on both URLs.
//
// -F keeps it in the foreground, so the process we start is the server;
// -M single keeps it one process, so the kernel's parent-death signal
// (set by proctest) ends all of it if the test binary dies; -i logs to
// standard output, which proctest keeps for error messages.
func (d *DC) launch(ctx context.Context) error {
	proc, err := proctest.Start(d.tools.samba, "-F", "-i", "-M", "single", "-s", confPath(d.Dir))
	if err != nil {
		return err
	}
	if err := waitReady(ctx, proc, d.probe); err != nil {
		return errors.Join(err, proc.Kill())
	}
	d.proc = proc
	return nil
}

// waitReady polls probe until it succeeds, the process exits, or ctx ends.
// Samba answers after about a second; polling backs off to 100 ms.
func waitReady(ctx context.Context, proc *proctest.Process, probe func() error) error {
	delay := 10 * time.Millisecond
	for {
		err := probe()
		if err == nil {
			return nil
		}
		select {
		case <-proc.Done():
			return fmt.Errorf("samba exited: %v\n%s", proc.WaitErr(), proc.Output())
		case <-ctx.Done():
			return fmt.Errorf("samba not answering: %w (last attempt: %v)\n%s", ctx.Err(), err, proc.Output())
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// probe binds as Administrator over ldap:// and ldaps://. The address is
// leased to this DC (see leaseAddress), so an answer comes from our Samba.
func (d *DC) probe() error {
	for _, url := range []string{d.URL, d.LDAPSURL} {
		if err := d.Bind(url, d.AdminUPN, d.AdminPassword); err != nil {
			return err
		}
	}
	return nil
}

// stop ends Samba, or reports that it had died by itself: tests that
// passed against a DC that crashed under them should hear of it.
func (d *DC) stop() error {
	if d.proc.Exited() {
		return fmt.Errorf("adtest: samba died before Close: %v\n%s", d.proc.WaitErr(), d.proc.Output())
	}
	return d.proc.Terminate(stopGrace)
}
