package templates

import (
	"fmt"
	"net/http"
)

// Modes of the passkey page: the WebAuthn ceremony it runs.
const (
	PasskeyEnrol   = "enrol"   // navigator.credentials.create: a new passkey
	PasskeyVerify  = "verify"  // navigator.credentials.get: the second factor
	PasskeySignIn  = "signin"  // navigator.credentials.get, discoverable: no password
	PasskeyRefused = "refused" // no ceremony: the session may not add one
)

// The texts the passkey page can show above its form.
const (
	PasskeyFailed      = "failed"      // the answer was not accepted
	PasskeyExpired     = "expired"     // the challenge was used or timed out
	PasskeyUnavailable = "unavailable" // a store is down
	PasskeyStepUp      = "stepup"      // (refused) sign in with your second factor first
	PasskeyThrottled   = "throttled"   // too many refused passkeys: wait
)

// PasskeyPage runs one WebAuthn ceremony (static/passkey.js): Options are
// the JSON the browser API takes, with binary fields in base64url; the
// script puts the browser's answer into the hidden "credential" field
// and posts the form (csrf, flow or return, name, credential) to Action.
type PasskeyPage struct {
	Lang    string
	Mode    string
	Action  string
	CSRF    string
	Flow    string
	Return  string
	Options string
	// Back leads away without a passkey: the code page, the password form
	// or the account page.
	Back   string
	Error  string
	Status int
	// FormAction is the origin the form's answer may redirect to (the
	// client's redirect URI), for the Content-Security-Policy.
	FormAction string
	// Script is set by Passkey: the URL path of static/passkey.js.
	Script string
}

// Passkey renders the passkey page, with a policy that lets it run the
// one script file of ours it needs (script-src 'self', no inline code).
func (r *Renderer) Passkey(w http.ResponseWriter, p PasskeyPage) error {
	p.Script = r.prefix + "/static/passkey.js"
	v, err := passkeyView(p)
	if err != nil {
		return err
	}
	var csp string
	if p.FormAction != "" {
		csp = ContentSecurityPolicy(p.FormAction)
	} else {
		csp = ContentSecurityPolicy()
	}
	w.Header().Set("Content-Security-Policy", csp+"; script-src 'self'")
	return r.render(w, v)
}

func passkeyView(p PasskeyPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	if p.Mode == "" {
		p.Mode = PasskeyVerify
	}
	if _, err := text(p.Lang, "passkey."+p.Mode+".heading"); err != nil {
		return view{}, fmt.Errorf("passkey page: unknown mode %q", p.Mode)
	}
	if p.Error != "" {
		if _, err := text(p.Lang, "passkey.error."+p.Error); err != nil {
			return view{}, fmt.Errorf("passkey page: unknown error %q", p.Error)
		}
	}
	v, err := newView("passkey", p.Lang, "passkey.title", true, p)
	if p.Status != 0 {
		v.status = p.Status
	}
	return v, err
}

// passkeySamples are the passkey page in each mode, for rehearse.
func passkeySamples(lang string) []func() (view, error) {
	out := []func() (view, error){func() (view, error) { return passkeyView(PasskeyPage{Lang: lang}) }}
	for _, mode := range []string{PasskeyEnrol, PasskeyVerify, PasskeySignIn, PasskeyRefused} {
		out = append(out, func() (view, error) {
			return passkeyView(PasskeyPage{Lang: lang, Mode: mode, Action: "/x", CSRF: "c", Flow: "f", Return: "/account",
				Options: `{"challenge":"x"}`, Back: "/y", Error: PasskeyFailed, Script: "/static/passkey.js"})
		})
	}
	return out
}

func init() {
	pageNames = append(pageNames, "passkey")
	for lang, texts := range passkeyTexts {
		for k, v := range texts {
			catalog[lang][k] = v
		}
	}
}

var passkeyTexts = map[string]map[string]string{
	"en": {
		"passkey.title":             "Passkey",
		"passkey.enrol.heading":     "Set up a passkey",
		"passkey.enrol.intro":       "A passkey lets you confirm it's you with your device's screen lock or a security key — nothing to type, and it cannot be phished.",
		"passkey.enrol.submit":      "Create a passkey",
		"passkey.verify.heading":    "Confirm it's you",
		"passkey.verify.intro":      "Use your passkey to finish signing in.",
		"passkey.verify.submit":     "Use my passkey",
		"passkey.signin.heading":    "Sign in with a passkey",
		"passkey.signin.intro":      "Choose your passkey when your browser asks. No username or password needed.",
		"passkey.signin.submit":     "Continue with a passkey",
		"passkey.refused.heading":   "Confirm it's you first",
		"passkey.refused.intro":     "To add a passkey, sign in again with your current second factor.",
		"passkey.refused.submit":    "Continue",
		"passkey.name":              "Name for this passkey",
		"passkey.name.default":      "Passkey",
		"passkey.back.enrol":        "Not now",
		"passkey.back.verify":       "Use another way",
		"passkey.back.signin":       "Use your password instead",
		"passkey.back.refused":      "Back",
		"passkey.noscript":          "Passkeys need JavaScript in this browser.",
		"passkey.error.failed":      "That passkey was not accepted. Try again, or use another way.",
		"passkey.error.expired":     "That took too long. Try again.",
		"passkey.error.unavailable": "The service is busy. Try again in a few minutes.",
		"passkey.error.stepup":      "Sign in with your second factor before adding a passkey.",
		"passkey.error.throttled":   "Too many attempts. Try again in a few minutes.",
		"passkey.error.browser":     "Your browser did not create or use a passkey. Try again, or use another way.",
		"passkey.use":               "Use a passkey instead",
		"passkey.setup":             "Set up a passkey instead",
		"passkey.login":             "Sign in with a passkey",
	},
	"de": {
		"passkey.title":             "Passkey",
		"passkey.enrol.heading":     "Passkey einrichten",
		"passkey.enrol.intro":       "Mit einem Passkey bestätigen Sie Ihre Identität über die Bildschirmsperre Ihres Geräts oder einen Sicherheitsschlüssel – ohne Eingabe und sicher vor Phishing.",
		"passkey.enrol.submit":      "Passkey erstellen",
		"passkey.verify.heading":    "Bestätigen Sie, dass Sie es sind",
		"passkey.verify.intro":      "Verwenden Sie Ihren Passkey, um die Anmeldung abzuschließen.",
		"passkey.verify.submit":     "Meinen Passkey verwenden",
		"passkey.signin.heading":    "Mit einem Passkey anmelden",
		"passkey.signin.intro":      "Wählen Sie Ihren Passkey, wenn Ihr Browser danach fragt. Kein Benutzername und kein Passwort nötig.",
		"passkey.signin.submit":     "Mit einem Passkey fortfahren",
		"passkey.refused.heading":   "Bestätigen Sie zuerst, dass Sie es sind",
		"passkey.refused.intro":     "Um einen Passkey hinzuzufügen, melden Sie sich erneut mit Ihrem bisherigen zweiten Faktor an.",
		"passkey.refused.submit":    "Weiter",
		"passkey.name":              "Name für diesen Passkey",
		"passkey.name.default":      "Passkey",
		"passkey.back.enrol":        "Nicht jetzt",
		"passkey.back.verify":       "Anders anmelden",
		"passkey.back.signin":       "Stattdessen das Passwort verwenden",
		"passkey.back.refused":      "Zurück",
		"passkey.noscript":          "Passkeys brauchen in diesem Browser JavaScript.",
		"passkey.error.failed":      "Dieser Passkey wurde nicht angenommen. Versuchen Sie es erneut oder melden Sie sich anders an.",
		"passkey.error.expired":     "Das hat zu lange gedauert. Versuchen Sie es erneut.",
		"passkey.error.unavailable": "Der Dienst ist ausgelastet. Versuchen Sie es in einigen Minuten erneut.",
		"passkey.error.stepup":      "Melden Sie sich mit Ihrem zweiten Faktor an, bevor Sie einen Passkey hinzufügen.",
		"passkey.error.throttled":   "Zu viele Versuche. Versuchen Sie es in einigen Minuten erneut.",
		"passkey.error.browser":     "Ihr Browser hat keinen Passkey erstellt oder verwendet. Versuchen Sie es erneut oder melden Sie sich anders an.",
		"passkey.use":               "Stattdessen einen Passkey verwenden",
		"passkey.setup":             "Stattdessen einen Passkey einrichten",
		"passkey.login":             "Mit einem Passkey anmelden",
	},
}
