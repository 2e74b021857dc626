package templates

import (
	"fmt"
	"html/template"
)

// catalog holds every text of the pages, by language and key. A text with
// %s verbs takes that many arguments, given to t after the key, in the same
// order in every language. Keys are grouped by page; scope.* and claim.*
// describe scope values and individual claims in plain words.
var catalog = map[string]map[string]string{
	"en": {
		"login.title":                "Sign in",
		"login.heading":              "Sign in",
		"login.to":                   "to continue to %s",
		"login.username":             "Username",
		"login.password":             "Password",
		"login.submit":               "Sign in",
		"login.error.invalid":        "The username or password is wrong.",
		"login.error.locked":         "This account is locked. Please contact your administrator.",
		"login.error.expired":        "Your password has expired. Please change it, then sign in again.",
		"login.error.mustchange":     "Your password must be changed before you can sign in. Please change it, then try again.",
		"login.error.throttled":      "Too many attempts. Try again in a few minutes.",
		"login.error.unavailable":    "Signing in is not possible right now. Please try again later.",
		"login.error.disabled":       "This account is disabled. Please contact your administrator.",
		"login.error.accountexpired": "This account has expired. Please contact your administrator.",
		"login.error.notpermitted":   "This account may not sign in at this time or from this device. Please contact your administrator.",

		"password.title":             "Change password",
		"password.heading":           "Change your password",
		"password.intro":             "Your password has expired or must be changed before you can continue. Choose a new one.",
		"password.current":           "Current password",
		"password.new":               "New password",
		"password.repeat":            "Repeat the new password",
		"password.submit":            "Change password and continue",
		"password.error.mismatch":    "The new passwords do not match.",
		"password.error.same":        "The new password must differ from the current one.",
		"password.error.wrong":       "The current password is wrong.",
		"password.error.locked":      "This account is locked. Please contact your administrator.",
		"password.error.throttled":   "Too many attempts. Try again in a few minutes.",
		"password.error.unavailable": "Changing the password is not possible right now. Please try again later.",
		"password.error.refused":     "The directory did not accept the new password. Please choose another one.",
		"password.error.too_short":   "The new password is too short. Please choose a longer one.",
		"password.error.too_simple":  "The new password is too simple. Mix upper and lower case letters, digits and symbols.",
		"password.error.in_history":  "You have used this password before. Please choose one you have not used yet.",
		"password.error.too_young":   "Your password was changed too recently to be changed again. Please try again later.",

		"consent.title":           "Allow access",
		"consent.heading":         "%s wants to access your account",
		"consent.heading.unnamed": "An application wants to access your account",
		"consent.user":            "Signed in as %s",
		"consent.scopes":          "Requested permissions",
		"consent.claims":          "Requested details",
		"consent.client":          "About the application",
		"consent.policy":          "Privacy policy",
		"consent.tos":             "Terms of service",
		"consent.trust":           "Only allow access if you trust this application.",
		"consent.allow":           "Allow",
		"consent.deny":            "Deny",

		"logout.title":   "Sign out",
		"logout.heading": "Sign out of Gatehouse?",
		"logout.client":  "%s asks to sign you out.",
		"logout.text":    "You will be signed out of Gatehouse in this browser.",
		"logout.confirm": "Sign out",
		"logout.cancel":  "Stay signed in",

		"loggedout.title":          "Signed out",
		"loggedout.heading":        "You are signed out",
		"loggedout.text":           "You can close this window now.",
		"loggedout.return":         "Return to %s",
		"loggedout.return.unnamed": "Return to the application",

		"home.title":     "Gatehouse",
		"home.intro":     "This is an OpenID Connect provider. Relying parties find everything they need in its discovery document.",
		"home.try":       "Try sign-in",
		"home.try.note":  "Runs the whole sign-in with the demo application and shows the ID token it receives.",
		"home.discovery": "OpenID Provider configuration",
		"home.keys":      "Public signing keys",
		"home.issuer":    "Issuer",

		"error.code":                       "Error code",
		"error.default.title":              "Something went wrong",
		"error.default.text":               "An unexpected error occurred. Please try again later.",
		"error.not_found.title":            "Page not found",
		"error.not_found.text":             "There is nothing at this address.",
		"error.method_not_allowed.title":   "Method not allowed",
		"error.method_not_allowed.text":    "This address does not accept this kind of request.",
		"error.bad_request.title":          "Invalid request",
		"error.bad_request.text":           "The request could not be understood.",
		"error.unknown_client.title":       "Unknown application",
		"error.unknown_client.text":        "The application that sent you here is not registered with this provider. Please tell its operators.",
		"error.bad_redirect_uri.title":     "Invalid return address",
		"error.bad_redirect_uri.text":      "The application asked to send you back to an address it has not registered, so you are not sent there. Please tell its operators.",
		"error.missing_redirect_uri.title": "Missing return address",
		"error.missing_redirect_uri.text":  "The application did not say where to send you back to. Please tell its operators.",
		"error.expired.title":              "Sign-in expired",
		"error.expired.text":               "This sign-in has expired or was already completed. Go back to the application and start again.",
		"error.csrf.title":                 "Form expired",
		"error.csrf.text":                  "The form could not be accepted. Go back, reload the page and try again.",
		"error.unavailable.title":          "Temporarily unavailable",
		"error.unavailable.text":           "Signing in is not possible right now. Please try again later.",
		"error.server_error.title":         "Something went wrong",
		"error.server_error.text":          "An unexpected error occurred. Please try again later.",

		"scope.openid":         "Sign you in with your account",
		"scope.profile":        "See your name, username and other profile details",
		"scope.email":          "See your email address",
		"scope.address":        "See your postal address",
		"scope.phone":          "See your phone number",
		"scope.offline_access": "Keep access to your account while you are away",
		"scope.groups":         "See which groups you belong to",

		"claim.name":                  "Full name",
		"claim.given_name":            "First name",
		"claim.family_name":           "Last name",
		"claim.middle_name":           "Middle name",
		"claim.nickname":              "Nickname",
		"claim.preferred_username":    "Username",
		"claim.profile":               "Profile page",
		"claim.picture":               "Profile picture",
		"claim.website":               "Website",
		"claim.email":                 "Email address",
		"claim.email_verified":        "Whether your email address is verified",
		"claim.gender":                "Gender",
		"claim.birthdate":             "Date of birth",
		"claim.zoneinfo":              "Time zone",
		"claim.locale":                "Language and region",
		"claim.phone_number":          "Phone number",
		"claim.phone_number_verified": "Whether your phone number is verified",
		"claim.address":               "Postal address",
		"claim.updated_at":            "When your profile was last changed",
		"claim.groups":                "Group memberships",
	},
	"de": {
		"login.title":                "Anmelden",
		"login.heading":              "Anmelden",
		"login.to":                   "um mit %s fortzufahren",
		"login.username":             "Benutzername",
		"login.password":             "Passwort",
		"login.submit":               "Anmelden",
		"login.error.invalid":        "Benutzername oder Passwort ist falsch.",
		"login.error.locked":         "Dieses Konto ist gesperrt. Bitte wenden Sie sich an Ihre Administration.",
		"login.error.expired":        "Ihr Passwort ist abgelaufen. Bitte ändern Sie es und melden Sie sich dann erneut an.",
		"login.error.mustchange":     "Sie müssen Ihr Passwort ändern, bevor Sie sich anmelden können. Bitte ändern Sie es und versuchen Sie es dann erneut.",
		"login.error.throttled":      "Zu viele Versuche. Versuchen Sie es in ein paar Minuten erneut.",
		"login.error.unavailable":    "Die Anmeldung ist gerade nicht möglich. Bitte versuchen Sie es später erneut.",
		"login.error.disabled":       "Dieses Konto ist deaktiviert. Bitte wenden Sie sich an Ihre Administration.",
		"login.error.accountexpired": "Dieses Konto ist abgelaufen. Bitte wenden Sie sich an Ihre Administration.",
		"login.error.notpermitted":   "Mit diesem Konto ist die Anmeldung zu dieser Zeit oder von diesem Gerät aus nicht erlaubt. Bitte wenden Sie sich an Ihre Administration.",

		"password.title":             "Passwort ändern",
		"password.heading":           "Ändern Sie Ihr Passwort",
		"password.intro":             "Ihr Passwort ist abgelaufen oder muss geändert werden, bevor Sie fortfahren können. Wählen Sie ein neues.",
		"password.current":           "Aktuelles Passwort",
		"password.new":               "Neues Passwort",
		"password.repeat":            "Neues Passwort wiederholen",
		"password.submit":            "Passwort ändern und fortfahren",
		"password.error.mismatch":    "Die neuen Passwörter stimmen nicht überein.",
		"password.error.same":        "Das neue Passwort muss sich vom aktuellen unterscheiden.",
		"password.error.wrong":       "Das aktuelle Passwort ist falsch.",
		"password.error.locked":      "Dieses Konto ist gesperrt. Bitte wenden Sie sich an Ihre Administration.",
		"password.error.throttled":   "Zu viele Versuche. Versuchen Sie es in ein paar Minuten erneut.",
		"password.error.unavailable": "Das Passwort kann gerade nicht geändert werden. Bitte versuchen Sie es später erneut.",
		"password.error.refused":     "Das Verzeichnis hat das neue Passwort nicht angenommen. Bitte wählen Sie ein anderes.",
		"password.error.too_short":   "Das neue Passwort ist zu kurz. Bitte wählen Sie ein längeres.",
		"password.error.too_simple":  "Das neue Passwort ist zu einfach. Mischen Sie Groß- und Kleinbuchstaben, Ziffern und Sonderzeichen.",
		"password.error.in_history":  "Dieses Passwort haben Sie schon einmal verwendet. Bitte wählen Sie eines, das Sie noch nicht verwendet haben.",
		"password.error.too_young":   "Ihr Passwort wurde vor zu kurzer Zeit geändert, um es erneut zu ändern. Bitte versuchen Sie es später erneut.",

		"consent.title":           "Zugriff erlauben",
		"consent.heading":         "%s möchte auf Ihr Konto zugreifen",
		"consent.heading.unnamed": "Eine Anwendung möchte auf Ihr Konto zugreifen",
		"consent.user":            "Angemeldet als %s",
		"consent.scopes":          "Angefragte Berechtigungen",
		"consent.claims":          "Angefragte Angaben",
		"consent.client":          "Über die Anwendung",
		"consent.policy":          "Datenschutzerklärung",
		"consent.tos":             "Nutzungsbedingungen",
		"consent.trust":           "Erlauben Sie den Zugriff nur, wenn Sie dieser Anwendung vertrauen.",
		"consent.allow":           "Erlauben",
		"consent.deny":            "Ablehnen",

		"logout.title":   "Abmelden",
		"logout.heading": "Von Gatehouse abmelden?",
		"logout.client":  "%s bittet darum, Sie abzumelden.",
		"logout.text":    "Sie werden in diesem Browser von Gatehouse abgemeldet.",
		"logout.confirm": "Abmelden",
		"logout.cancel":  "Angemeldet bleiben",

		"loggedout.title":          "Abgemeldet",
		"loggedout.heading":        "Sie sind abgemeldet",
		"loggedout.text":           "Sie können dieses Fenster jetzt schließen.",
		"loggedout.return":         "Zurück zu %s",
		"loggedout.return.unnamed": "Zurück zur Anwendung",

		"home.title":     "Gatehouse",
		"home.intro":     "Dies ist ein OpenID-Connect-Provider. Relying Parties finden alles Nötige in seinem Discovery-Dokument.",
		"home.try":       "Anmeldung ausprobieren",
		"home.try.note":  "Durchläuft die ganze Anmeldung mit der Demo-Anwendung und zeigt das ID-Token, das sie erhält.",
		"home.discovery": "OpenID-Provider-Konfiguration",
		"home.keys":      "Öffentliche Signaturschlüssel",
		"home.issuer":    "Issuer",

		"error.code":                       "Fehlercode",
		"error.default.title":              "Etwas ist schiefgegangen",
		"error.default.text":               "Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.",
		"error.not_found.title":            "Seite nicht gefunden",
		"error.not_found.text":             "Unter dieser Adresse gibt es nichts.",
		"error.method_not_allowed.title":   "Methode nicht erlaubt",
		"error.method_not_allowed.text":    "Diese Adresse nimmt diese Art von Anfrage nicht an.",
		"error.bad_request.title":          "Ungültige Anfrage",
		"error.bad_request.text":           "Die Anfrage konnte nicht verarbeitet werden.",
		"error.unknown_client.title":       "Unbekannte Anwendung",
		"error.unknown_client.text":        "Die Anwendung, die Sie hierher geschickt hat, ist bei diesem Provider nicht registriert. Bitte informieren Sie deren Betreiber.",
		"error.bad_redirect_uri.title":     "Ungültige Rücksprungadresse",
		"error.bad_redirect_uri.text":      "Die Anwendung möchte Sie an eine Adresse zurückschicken, die sie nicht registriert hat. Deshalb werden Sie nicht dorthin weitergeleitet. Bitte informieren Sie deren Betreiber.",
		"error.missing_redirect_uri.title": "Fehlende Rücksprungadresse",
		"error.missing_redirect_uri.text":  "Die Anwendung hat nicht angegeben, wohin Sie zurückgeschickt werden sollen. Bitte informieren Sie deren Betreiber.",
		"error.expired.title":              "Anmeldung abgelaufen",
		"error.expired.text":               "Diese Anmeldung ist abgelaufen oder wurde bereits abgeschlossen. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.",
		"error.csrf.title":                 "Formular abgelaufen",
		"error.csrf.text":                  "Das Formular konnte nicht angenommen werden. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.",
		"error.unavailable.title":          "Vorübergehend nicht verfügbar",
		"error.unavailable.text":           "Die Anmeldung ist gerade nicht möglich. Bitte versuchen Sie es später erneut.",
		"error.server_error.title":         "Etwas ist schiefgegangen",
		"error.server_error.text":          "Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.",

		"scope.openid":         "Sie mit Ihrem Konto anmelden",
		"scope.profile":        "Ihren Namen, Benutzernamen und weitere Profilangaben sehen",
		"scope.email":          "Ihre E-Mail-Adresse sehen",
		"scope.address":        "Ihre Postanschrift sehen",
		"scope.phone":          "Ihre Telefonnummer sehen",
		"scope.offline_access": "Auch in Ihrer Abwesenheit auf Ihr Konto zugreifen",
		"scope.groups":         "Sehen, welchen Gruppen Sie angehören",

		"claim.name":                  "Vollständiger Name",
		"claim.given_name":            "Vorname",
		"claim.family_name":           "Nachname",
		"claim.middle_name":           "Zweiter Vorname",
		"claim.nickname":              "Spitzname",
		"claim.preferred_username":    "Benutzername",
		"claim.profile":               "Profilseite",
		"claim.picture":               "Profilbild",
		"claim.website":               "Website",
		"claim.email":                 "E-Mail-Adresse",
		"claim.email_verified":        "Ob Ihre E-Mail-Adresse bestätigt ist",
		"claim.gender":                "Geschlecht",
		"claim.birthdate":             "Geburtsdatum",
		"claim.zoneinfo":              "Zeitzone",
		"claim.locale":                "Sprache und Region",
		"claim.phone_number":          "Telefonnummer",
		"claim.phone_number_verified": "Ob Ihre Telefonnummer bestätigt ist",
		"claim.address":               "Postanschrift",
		"claim.updated_at":            "Wann Ihr Profil zuletzt geändert wurde",
		"claim.groups":                "Gruppenmitgliedschaften",
	},
}

// text returns the catalog's text for key in lang, with args in place of
// its %s verbs. An unknown key or a wrong number of arguments is an error,
// so that a typo in an overriding template fails at Load.
func text(lang, key string, args ...any) (string, error) {
	msg, ok := catalog[lang][key]
	if !ok {
		return "", fmt.Errorf("no text %q in language %q", key, lang)
	}
	if n := countVerbs(msg); n != len(args) {
		return "", fmt.Errorf("text %q takes %d arguments, got %d", key, n, len(args))
	}
	if len(args) == 0 {
		return msg, nil
	}
	return fmt.Sprintf(msg, args...), nil
}

// countVerbs counts the formatting verbs in a catalog text; "%%" is a
// literal percent sign.
func countVerbs(msg string) int {
	n := 0
	for i := 0; i < len(msg); i++ {
		if msg[i] != '%' {
			continue
		}
		if i+1 < len(msg) && msg[i+1] == '%' {
			i++
			continue
		}
		n++
	}
	return n
}

// describe returns the plain-words description of a scope value or claim
// name, or the value itself when the catalog has none: a custom scope such
// as "api:read" is shown as the client asked for it.
func describe(lang, kind, value string) string {
	if s, ok := catalog[lang][kind+"."+value]; ok {
		return s
	}
	return value
}

// funcs are the template functions of the pages in one language:
//
//	{{t "key" args...}}   a catalog text
//	{{scope "email"}}     a scope value in plain words
//	{{claim "birthdate"}} a claim name in plain words
func funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":     func(key string, args ...any) (string, error) { return text(lang, key, args...) },
		"scope": func(value string) string { return describe(lang, "scope", value) },
		"claim": func(name string) string { return describe(lang, "claim", name) },
	}
}
