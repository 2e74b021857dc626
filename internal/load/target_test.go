package load

import "testing"

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		target      string
		allowRemote bool
		wantErr     bool
	}{
		{target: "http://127.0.0.1:8080", wantErr: false},
		{target: "http://127.9.9.9:8080", wantErr: false},
		{target: "http://localhost:8080", wantErr: false},
		{target: "https://LOCALHOST", wantErr: false},
		{target: "http://[::1]:8080", wantErr: false},
		{target: "http://10.0.0.1:8080", wantErr: true},
		{target: "http://idp.example.com", wantErr: true},
		{target: "http://localhost.example.com", wantErr: true},
		{target: "http://127.0.0.1.nip.io", wantErr: true},
		{target: "http://idp.example.com", allowRemote: true, wantErr: false},
		{target: "ftp://127.0.0.1", wantErr: true},
		{target: "127.0.0.1:8080", wantErr: true},
		{target: "http://[::1", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			err := CheckTarget(tc.target, tc.allowRemote)
			if (err != nil) != tc.wantErr {
				t.Errorf("CheckTarget(%q, %v) = %v, want error %v", tc.target, tc.allowRemote, err, tc.wantErr)
			}
		})
	}
}
