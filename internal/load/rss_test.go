package load

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

func TestParsePeakRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{name: "high-water mark", status: "Name:\tgatehouse\nVmPeak:\t  900000 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\n", want: 20480 * 1024},
		{name: "only VmRSS", status: "VmRSS:\t 1024 kB\n", want: 1024 * 1024},
		{name: "neither", status: "Name:\tx\n", wantErr: true},
		{name: "garbled", status: "VmHWM:\t lots kB\n", wantErr: true},
		{name: "other unit", status: "VmHWM:\t 5 MB\n", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parsePeakRSS(strings.NewReader(tc.status))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parsePeakRSS = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestRunSamplesPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	sum, err := Run(t.Context(), &funcScenario{}, Options{Requests: 1, PID: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	if sum.PeakRSS < 1<<20 {
		t.Errorf("peak RSS of this test process: %d bytes", sum.PeakRSS)
	}
	if _, err := ReadPeakRSS(-5); err == nil {
		t.Error("no error for a process that cannot exist")
	}
}
