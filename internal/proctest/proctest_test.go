package proctest

import (
	"strings"
	"testing"
	"time"
)

func TestProcessOutputAndExit(t *testing.T) {
	p, err := Start("/bin/sh", "-c", "echo hello; echo oops >&2; exit 3")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.WaitErr(); err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("WaitErr = %v", err)
	}
	if !p.Exited() || !strings.Contains(p.Output(), "hello") || !strings.Contains(p.Output(), "oops") {
		t.Errorf("exited %v, output %q", p.Exited(), p.Output())
	}
}

func TestProcessTerminateAndKill(t *testing.T) {
	p, err := Start("/bin/sleep", "60")
	if err != nil {
		t.Fatal(err)
	}
	if p.Exited() {
		t.Fatal("exited at once")
	}
	if err := p.Terminate(5 * time.Second); err != nil || !p.Exited() {
		t.Errorf("Terminate: %v, exited %v", err, p.Exited())
	}
	if err := p.Kill(); err != nil {
		t.Errorf("Kill after exit: %v", err)
	}
}

func TestOutputIsBounded(t *testing.T) {
	p, err := Start("/bin/sh", "-c", "head -c 200000 /dev/zero | tr '\\0' x")
	if err != nil {
		t.Fatal(err)
	}
	_ = p.WaitErr()
	if n := len(p.Output()); n != outputLimit {
		t.Errorf("kept %d bytes, want %d", n, outputLimit)
	}
}
