package provider

import "net/http"

// openClientHTTP is the HTTP client of the fetches and logout POSTs made
// for clients registered openly: nil, which means the guarded
// netguard.Client, unless op.reg.allowOpenPrivateAddresses lifts the
// guard for a lab; then an ordinary client that follows no redirect.
func openClientHTTP(o Options) *http.Client {
	if !o.Registration.Policy.OpenPrivateAddresses {
		return nil
	}
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
