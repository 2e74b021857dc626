package templates

import (
	"fmt"
	"html/template"
	"net/http"
)

// Modes of the second-factor page.
const (
	MFACode  = "code"  // asks for a code from the app, or a recovery code
	MFAEnrol = "enrol" // shows a new secret and asks for its first code
	MFACodes = "codes" // shows the recovery codes once, with Continue
)

// The texts the second-factor page can show above its form.
const (
	MFAInvalid   = "invalid"
	MFAThrottled = "throttled"
)

// MFAPage asks for the second factor. Its forms post csrf, flow, action
// (code, recovery, enrol or continue), code and, when enrolling, the
// sealed enrolment, to Action.
type MFAPage struct {
	Lang   string
	Action string
	CSRF   string
	Flow   string
	Mode   string
	// QR is the enrolment QR code as a data: URI; Secret the same secret
	// as text; Enrolment the sealed secret for the hidden field.
	QR        template.URL
	Secret    string
	Enrolment string
	// Recovery: the person has recovery codes to fall back on.
	Recovery bool
	// RecoveryCodes are shown once, after an enrolment.
	RecoveryCodes []string
	// Error is MFAInvalid, MFAThrottled or empty.
	Error string
	// Status is the HTTP status; 0 means 200.
	Status int
	// FormAction is the origin the form's answer may redirect to (the
	// client's redirect URI), for the Content-Security-Policy.
	FormAction string
	// PasskeyURL offers the person's passkey instead of a code;
	// PasskeyEnrolURL a new passkey instead of an app. Empty: not offered.
	PasskeyURL      string
	PasskeyEnrolURL string
}

// MFA renders the second-factor page.
func (r *Renderer) MFA(w http.ResponseWriter, p MFAPage) error {
	v, err := mfaView(p)
	if err != nil {
		return err
	}
	if p.FormAction != "" {
		w.Header().Set("Content-Security-Policy", ContentSecurityPolicy(p.FormAction))
	}
	return r.render(w, v)
}

func mfaView(p MFAPage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	if p.Error != "" {
		if _, err := text(p.Lang, "mfa.error."+p.Error); err != nil {
			return view{}, fmt.Errorf("mfa page: unknown error %q", p.Error)
		}
	}
	if p.Mode == "" {
		p.Mode = MFACode
	}
	v, err := newView("mfa", p.Lang, "mfa.title", true, p)
	if p.Status != 0 {
		v.status = p.Status
	}
	return v, err
}

// mfaSamples are the second-factor page in each mode, for rehearse.
func mfaSamples(lang string) []func() (view, error) {
	return []func() (view, error){
		func() (view, error) {
			return mfaView(MFAPage{Lang: lang, Action: "/mfa", CSRF: "c", Flow: "f", Recovery: true, Error: MFAInvalid, PasskeyURL: "/p"})
		},
		func() (view, error) {
			return mfaView(MFAPage{Lang: lang, Mode: MFAEnrol, QR: "data:image/png;base64,AA", Secret: "S", Enrolment: "e", Error: MFAThrottled, PasskeyEnrolURL: "/p"})
		},
		func() (view, error) {
			return mfaView(MFAPage{Lang: lang, Mode: MFACodes, RecoveryCodes: []string{"a-b"}})
		},
		func() (view, error) { return mfaView(MFAPage{Lang: lang}) },
	}
}

func init() {
	for lang, texts := range mfaTexts {
		for k, v := range texts {
			catalog[lang][k] = v
		}
	}
}

var mfaTexts = map[string]map[string]string{
	"en": {
		"mfa.title":           "Second step",
		"mfa.heading":         "Confirm it's you",
		"mfa.intro":           "Enter the 6-digit code from your authenticator app.",
		"mfa.code":            "Code",
		"mfa.submit":          "Continue",
		"mfa.recovery":        "Lost your device? Use a recovery code",
		"mfa.recovery.code":   "Recovery code",
		"mfa.recovery.submit": "Use recovery code",
		"mfa.enrol.heading":   "Set up an authenticator app",
		"mfa.enrol.intro":     "Signing in here needs a second step. Scan this code with an authenticator app, then enter the 6-digit code it shows.",
		"mfa.enrol.qr":        "QR code to scan with your authenticator app",
		"mfa.enrol.secret":    "Can't scan it? Enter this key instead:",
		"mfa.enrol.submit":    "Confirm and continue",
		"mfa.codes.heading":   "Save your recovery codes",
		"mfa.codes.intro":     "If you lose your device, each of these codes lets you sign in once. Keep them somewhere safe: they are shown only now.",
		"mfa.codes.continue":  "I have saved them — continue",
		"mfa.error.invalid":   "That code is not right, or it was used already.",
		"mfa.error.throttled": "Too many attempts. Try again in a few minutes.",
	},
	"de": {
		"mfa.title":           "Zweiter Schritt",
		"mfa.heading":         "Bestätigen Sie, dass Sie es sind",
		"mfa.intro":           "Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.",
		"mfa.code":            "Code",
		"mfa.submit":          "Weiter",
		"mfa.recovery":        "Gerät verloren? Einen Wiederherstellungscode verwenden",
		"mfa.recovery.code":   "Wiederherstellungscode",
		"mfa.recovery.submit": "Wiederherstellungscode verwenden",
		"mfa.enrol.heading":   "Authenticator-App einrichten",
		"mfa.enrol.intro":     "Die Anmeldung hier braucht einen zweiten Schritt. Scannen Sie diesen Code mit einer Authenticator-App und geben Sie dann den 6-stelligen Code ein, den sie anzeigt.",
		"mfa.enrol.qr":        "QR-Code zum Scannen mit Ihrer Authenticator-App",
		"mfa.enrol.secret":    "Scannen nicht möglich? Geben Sie stattdessen diesen Schlüssel ein:",
		"mfa.enrol.submit":    "Bestätigen und weiter",
		"mfa.codes.heading":   "Speichern Sie Ihre Wiederherstellungscodes",
		"mfa.codes.intro":     "Wenn Sie Ihr Gerät verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Bewahren Sie sie sicher auf: Sie werden nur jetzt angezeigt.",
		"mfa.codes.continue":  "Ich habe sie gespeichert – weiter",
		"mfa.error.invalid":   "Dieser Code stimmt nicht oder wurde schon verwendet.",
		"mfa.error.throttled": "Zu viele Versuche. Versuchen Sie es in einigen Minuten erneut.",
	},
}
