package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "help", args: []string{"-h"}, code: exitOK, want: "-faults"},
		{name: "unknown fault", args: []string{"-faults", "disk-full"}, code: exitUsage, want: `unknown fault "disk-full"`},
		{name: "bad load", args: []string{"-load", "code-flow"}, code: exitUsage, want: "scenario=rate"},
		{name: "deadline above the client timeout", args: []string{"-deadline", "10s", "-timeout", "5s"}, code: exitUsage, want: "must exceed"},
		{name: "stray argument", args: []string{"now"}, code: exitUsage, want: "unexpected arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), tc.args, &stdout, &stderr); code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr.String())
			}
		})
	}
}
