package chaos

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

func ev(at time.Duration, class string, latency time.Duration) load.Event {
	return load.Event{At: at, Class: class, Latency: latency}
}

func TestFigures(t *testing.T) {
	s := time.Second
	tl := &tally{}
	for _, e := range []load.Event{
		ev(0, load.ClassOK, 10*time.Millisecond),
		ev(s/2, load.ClassOK, 10*time.Millisecond),
		ev(2*s, "http_503", 2*s), // during the fault
		ev(2*s+s/2, load.ClassOK, 3*s),
		ev(4*s+s/2, load.ClassTimeout, 10*s), // after the heal at 4 s
		ev(5*s, load.ClassDropped, 0),
		ev(5*s, load.ClassCanceled, time.Millisecond),
		ev(6*s, load.ClassOK, 20*time.Millisecond),
	} {
		tl.observe(e)
	}
	f := tl.figures(window{inject: 2 * s, heal: 4 * s})
	if f.Iterations != 6 || f.OK != 4 {
		t.Errorf("iterations %d ok %d, want 6 and 4 (dropped and canceled aside)", f.Iterations, f.OK)
	}
	want := map[string]int64{"http_503": 1, load.ClassTimeout: 1, load.ClassDropped: 1}
	if fmt.Sprint(f.Classes) != fmt.Sprint(want) {
		t.Errorf("classes %v, want %v", f.Classes, want)
	}
	if f.P99Fault != 3*s {
		t.Errorf("p99 during the fault %v, want 3s (only the two started in it)", f.P99Fault)
	}
	if f.Max != 10*s {
		t.Errorf("max %v, want 10s", f.Max)
	}
	// Failures in seconds 4 and 5, the first clean second with a success is 6.
	if !f.Recovered || f.Recovery != 2*s {
		t.Errorf("recovery %v (%v), want 2s after the heal", f.Recovery, f.Recovered)
	}
}

func TestJudge(t *testing.T) {
	tests := []struct {
		name      string
		classes   map[string]int64
		recovered bool
		want      []string // substrings of the problems, in order; none: passed
	}{
		{name: "503s, pages and drops are answers", classes: map[string]int64{"http_503": 40, load.ClassBadAnswer: 9, load.ClassDropped: 2}, recovered: true},
		{name: "a 500 fails", classes: map[string]int64{"http_500": 1}, recovered: true, want: []string{"1 requests answered 500"}},
		{name: "no answer fails", classes: map[string]int64{load.ClassTimeout: 2, load.ClassReset: 1}, recovered: true,
			want: []string{"3 requests got no answer (reset:1 timeout:2)"}},
		{name: "refused means the server died", classes: map[string]int64{load.ClassRefused: 1}, recovered: true, want: []string{"no answer (refused:1)"}},
		{name: "no recovery fails", classes: map[string]int64{"http_503": 5}, want: []string{"no second without failures within 5s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{figures: figures{Classes: tc.classes, Recovered: tc.recovered}}
			r.judge(5 * time.Second)
			if len(r.Problems) != len(tc.want) {
				t.Fatalf("problems %q, want %d like %q", r.Problems, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(r.Problems[i], w) {
					t.Errorf("problem %q, want it to say %q", r.Problems[i], w)
				}
			}
			if r.Failed() != (len(tc.want) > 0) || AnyFailed([]*Result{r}) != r.Failed() {
				t.Errorf("Failed() = %v with problems %q", r.Failed(), r.Problems)
			}
		})
	}
}

func TestWriteTable(t *testing.T) {
	r := &Result{Fault: "redis-stopped", HTTPRequests: 30, figures: figures{
		Iterations: 20, OK: 12, Recovered: true, Recovery: 1500 * time.Millisecond, P99Fault: 2 * time.Second,
		Classes: map[string]int64{"http_503": 3, "http_500": 1, load.ClassEOF: 2, load.ClassBadAnswer: 1, load.ClassDropped: 1},
	}}
	r.judge(time.Second)
	var b bytes.Buffer
	if err := WriteTable(&b, []*Result{r}); err != nil {
		t.Fatal(err)
	}
	row := strings.Fields(strings.Split(b.String(), "\n")[1])
	want := []string{"redis-stopped", "20", "30", "12", "3", "1", "2", "bad_answer:1", "1", "2000", "0", "0", "1.5s", "FAIL"}
	if strings.Join(row, " ") != strings.Join(want, " ") {
		t.Errorf("row\n%q\nwant\n%q", row, want)
	}
}

func TestParseLoad(t *testing.T) {
	tests := []struct {
		in      string
		want    []Stream
		wantErr bool
	}{
		{in: "client-credentials=25/64,code-flow=5", want: []Stream{{"client-credentials", 25, 64}, {"code-flow", 5, 32}}},
		{in: "discovery=0.5", want: []Stream{{"discovery", 0.5, 32}}},
		{in: "code-flow", wantErr: true},
		{in: "code-flow=-1", wantErr: true},
		{in: "code-flow=5/0", wantErr: true},
	}
	for _, tc := range tests {
		got, err := ParseLoad(tc.in)
		if (err != nil) != tc.wantErr || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("ParseLoad(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestValidate(t *testing.T) {
	good := DefaultConfig()
	good.Binary = "bin/gatehouse"
	if err := Validate(good); err != nil {
		t.Fatalf("default config with a binary: %v", err)
	}
	bad := good
	bad.Binary, bad.Faults, bad.RequestTimeout = "", []string{"disk-full"}, time.Second
	err := Validate(bad)
	for _, want := range []string{"no gatehouse binary", `unknown fault "disk-full"`, "must exceed the server's deadline"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to say %q", err, want)
		}
	}
}

func TestSelectedKeepsOrderAndNames(t *testing.T) {
	if got := len(selected(nil)); got != len(FaultNames()) {
		t.Errorf("selected(nil) has %d faults, want all %d", got, len(FaultNames()))
	}
	got := selected([]string{"redis-stopped", "directory-a-killed"})
	if len(got) != 2 || got[0].Name != "redis-stopped" || got[1].Name != "directory-a-killed" {
		t.Errorf("selected = %v", got)
	}
}

func TestDescribeDropsWhatDiffers(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{err: fmt.Errorf("x: %w", &load.StatusError{Step: "POST /login", Status: 500}), want: "POST /login: HTTP 500"},
		{err: &load.BadAnswerError{Step: "callback", Reason: "no code"}, want: "callback: no code"},
		{err: &url.Error{Op: "Get", URL: "http://127.0.0.1:1/authorize?state=abc", Err: errors.New("EOF")}, want: "Get /authorize: EOF"},
	}
	for _, tc := range tests {
		if got := describe(tc.err); got != tc.want {
			t.Errorf("describe(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestFailureLogCountsKinds(t *testing.T) {
	var l failureLog
	a := failureKey{"code-flow", "http_500", "POST /login: HTTP 500"}
	b := failureKey{"code-flow", "http_503", "POST /login: HTTP 503"}
	l.add(a)
	l.add(b)
	l.add(b)
	got := l.sorted()
	if len(got) != 2 || got[0].failureKey != b || got[0].Count != 2 || got[1].failureKey != a {
		t.Errorf("sorted = %v", got)
	}
}

func TestErrorLines(t *testing.T) {
	log := "level=WARN msg=a\nlevel=ERROR msg=b\nlevel=INFO msg=c\nlevel=ERROR msg=d\nlevel=ERROR msg=e\n"
	got := errorLines(log, 2)
	if strings.Join(got, "|") != "level=ERROR msg=b|level=ERROR msg=d" {
		t.Errorf("errorLines = %q", got)
	}
}
