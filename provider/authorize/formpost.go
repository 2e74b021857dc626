package authorize

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// submitScript submits the form as soon as the page loads. The page's
// Content-Security-Policy allows exactly this script, by its hash.
const submitScript = `document.forms[0].submit();`

// formPostPage is the OAuth 2.0 Form Post Response Mode page (§2): the
// parameters as hidden fields of a form that posts itself to the redirect
// URI, with a button for browsers without JavaScript.
var formPostPage = template.Must(template.New("form_post").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Continue to the application</title>
</head>
<body>
<form method="post" action="{{.Action}}">
{{- range .Fields}}
<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{- end}}
<noscript>
<p>JavaScript is turned off. Press the button to continue to the application.</p>
<button type="submit">Continue</button>
</noscript>
</form>
<script>` + submitScript + `</script>
</body>
</html>
`))

// scriptSource is the CSP source that allows submitScript (CSP3 §2.3.1).
var scriptSource = func() string {
	sum := sha256.Sum256([]byte(submitScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

type formField struct{ Name, Value string }

type formPostData struct {
	// Action is trusted as a URL: it is a registered redirect URI, which
	// html/template would otherwise blank out for a custom scheme.
	Action template.URL
	Fields []formField
}

// writeFormPost writes the auto-submitting form. The provider's strict
// Content-Security-Policy would block both the script and the post to
// another origin, so this response replaces it with one that allows just
// those two things.
func writeFormPost(w http.ResponseWriter, u *url.URL, params url.Values) error {
	data := formPostData{Action: template.URL(u.String())}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		for _, v := range params[name] {
			data.Fields = append(data.Fields, formField{Name: name, Value: v})
		}
	}
	var body bytes.Buffer
	if err := formPostPage.Execute(&body, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", formPostCSP(u))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body.Bytes())
	return err
}

// formPostCSP allows the submit script by hash and form submission to the
// redirect URI's origin only.
func formPostCSP(u *url.URL) string {
	return "default-src 'none'; script-src " + scriptSource + "; form-action " + formActionSource(u) +
		"; frame-ancestors 'none'; base-uri 'none'"
}

// FormActionSource is the CSP source expression for the origin of a
// redirect URI, for pages whose form submission ends in a redirect there.
func FormActionSource(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return "'none'"
	}
	return formActionSource(u)
}

// formActionSource is the CSP source expression for the redirect URI's
// origin. CSP has no syntax for IPv6 literals or for hosts of custom
// schemes, so those fall back to the scheme alone.
func formActionSource(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	if (scheme == "http" || scheme == "https") && plainHost(u.Host) {
		return scheme + "://" + strings.ToLower(u.Host)
	}
	return scheme + ":"
}

// plainHost: a host name or IPv4 address with an optional port, nothing
// that could end or bend a CSP directive.
func plainHost(host string) bool {
	if host == "" {
		return false
	}
	for _, c := range host {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':'
		if !ok {
			return false
		}
	}
	return true
}
