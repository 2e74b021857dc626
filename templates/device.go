package templates

import (
	"fmt"
	"net/http"
)

// Steps of the /device page (RFC 8628 §3.3).
const (
	// DeviceEnter asks for the user code.
	DeviceEnter = "enter"
	// DeviceConfirm shows the client and scopes with Allow and Deny.
	DeviceConfirm = "confirm"
	// DeviceAllowed and DeviceDenied tell the person what they decided.
	DeviceAllowed = "allowed"
	DeviceDenied  = "denied"
)

// Messages of the entry step, for DevicePage.Error.
const (
	DeviceInvalid   = "invalid"
	DeviceThrottled = "throttled"
)

// DevicePage is the page where a signed-in person enters the code a
// device shows, and allows or denies what the device asks for. Its form
// posts user_code and csrf, and on the confirm step decision (allow or
// deny), to Action.
type DevicePage struct {
	Lang   string
	Action string
	CSRF   string
	// Step is one of the Device* steps.
	Step string
	// UserCode prefills the entry field; on the confirm step it is the
	// code decided on.
	UserCode string
	// Error is DeviceInvalid, DeviceThrottled or empty.
	Error string
	// ClientName and LogoURI are the client's, in Lang; either may be empty.
	ClientName string
	LogoURI    string
	// Scopes are the requested scope values, shown in plain words.
	Scopes []string
	// Status is the HTTP status; 0 means 200.
	Status int
}

// Device renders the device page.
func (r *Renderer) Device(w http.ResponseWriter, p DevicePage) error {
	v, err := deviceView(p)
	if err != nil {
		return err
	}
	return r.render(w, v)
}

func deviceView(p DevicePage) (view, error) {
	p.Lang = resolveLang(p.Lang)
	switch p.Step {
	case DeviceEnter, DeviceConfirm, DeviceAllowed, DeviceDenied:
	default:
		return view{}, fmt.Errorf("device page: unknown step %q", p.Step)
	}
	if p.Error != "" {
		if _, err := text(p.Lang, "device.error."+p.Error); err != nil {
			return view{}, fmt.Errorf("device page: unknown error %q", p.Error)
		}
	}
	v, err := newView("device", p.Lang, "device.title", true, p)
	if p.Status != 0 {
		v.status = p.Status
	}
	return v, err
}

// deviceSamples are the device page's views for rehearse.
func deviceSamples(lang string) []func() (view, error) {
	const uri = "https://client.example/x"
	return []func() (view, error){
		func() (view, error) {
			return deviceView(DevicePage{Lang: lang, Action: uri, CSRF: "c", Step: DeviceEnter, UserCode: "BCDF-GHJK", Error: DeviceInvalid})
		},
		func() (view, error) {
			return deviceView(DevicePage{Lang: lang, Action: uri, CSRF: "c", Step: DeviceConfirm, UserCode: "BCDF-GHJK",
				ClientName: "n", LogoURI: uri, Scopes: []string{"openid", "custom"}})
		},
		func() (view, error) { return deviceView(DevicePage{Lang: lang, Step: DeviceConfirm}) },
		func() (view, error) { return deviceView(DevicePage{Lang: lang, Step: DeviceAllowed}) },
		func() (view, error) { return deviceView(DevicePage{Lang: lang, Step: DeviceDenied}) },
	}
}

func init() {
	pageNames = append(pageNames, "device")
	for lang, texts := range deviceCatalog {
		for k, v := range texts {
			catalog[lang][k] = v
		}
	}
}

// deviceCatalog holds the device page's texts, merged into catalog.
var deviceCatalog = map[string]map[string]string{
	"en": {
		"device.title":           "Connect a device",
		"device.heading":         "Connect a device",
		"device.intro":           "Enter the code shown on your device.",
		"device.code":            "Code",
		"device.submit":          "Continue",
		"device.error.invalid":   "This code is wrong or has expired. Check the code on your device and try again.",
		"device.error.throttled": "Too many attempts. Try again in a few minutes.",
		"device.confirm":         "%s on your device wants to access your account",
		"device.confirm.unnamed": "A device wants to access your account",
		"device.check":           "Check that your device shows this code: %s",
		"device.allowed":         "Done. You can return to your device.",
		"device.denied":          "The device was not allowed access.",
	},
	"de": {
		"device.title":           "Gerät verbinden",
		"device.heading":         "Gerät verbinden",
		"device.intro":           "Geben Sie den Code ein, den Ihr Gerät anzeigt.",
		"device.code":            "Code",
		"device.submit":          "Weiter",
		"device.error.invalid":   "Dieser Code ist falsch oder abgelaufen. Prüfen Sie den Code auf Ihrem Gerät und versuchen Sie es erneut.",
		"device.error.throttled": "Zu viele Versuche. Versuchen Sie es in ein paar Minuten erneut.",
		"device.confirm":         "%s auf Ihrem Gerät möchte auf Ihr Konto zugreifen",
		"device.confirm.unnamed": "Ein Gerät möchte auf Ihr Konto zugreifen",
		"device.check":           "Prüfen Sie, dass Ihr Gerät diesen Code zeigt: %s",
		"device.allowed":         "Fertig. Sie können zu Ihrem Gerät zurückkehren.",
		"device.denied":          "Dem Gerät wurde der Zugriff verweigert.",
	},
}
