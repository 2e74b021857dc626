package clientauth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse-idp/gatehouse/provider/oauth"
)

func TestWriteError(t *testing.T) {
	withBasic := newFixture(t).auth
	withoutBasic := newFixture(t, func(o *Options) { o.Methods = []string{MethodPrivateKeyJWT} }).auth
	triedBasic := basicHeader("basic", "x")
	tests := []struct {
		name          string
		auth          *Authenticator
		header        http.Header
		err           *oauth.Error
		wantStatus    int
		wantChallenge string
	}{
		{name: "invalid_client after Basic", auth: withBasic, header: triedBasic,
			err: withBasic.refuse(true, descFailed, errWrongSecret), wantStatus: 401, wantChallenge: `Basic realm="gatehouse"`},
		{name: "invalid_client while Basic is on offer", auth: withBasic, header: http.Header{},
			err: withBasic.refuse(false, descFailed, errWrongSecret), wantStatus: 401, wantChallenge: `Basic realm="gatehouse"`},
		{name: "invalid_client without Basic", auth: withoutBasic, header: http.Header{},
			err: withoutBasic.refuse(false, descFailed, errBadSignature), wantStatus: 400},
		{name: "invalid_client made elsewhere as 400, after Basic", auth: withoutBasic, header: triedBasic,
			err: oauth.ErrInvalidClient().WithStatus(400), wantStatus: 401, wantChallenge: `Basic realm="gatehouse"`},
		{name: "invalid_request", auth: withBasic, header: triedBasic,
			err: invalidRequest("Use exactly one client authentication method per request."), wantStatus: 400},
		{name: "temporarily_unavailable", auth: withBasic, header: triedBasic,
			err: unavailable(nil), wantStatus: 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tc.auth.WriteError(rec, tc.header, tc.err)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantChallenge)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body["error"] != tc.err.Code || body["error_description"] != tc.err.Description {
				t.Errorf("body = %v", body)
			}
		})
	}
}
