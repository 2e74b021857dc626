// Package templates owns the HTML that people see: the page templates and
// the stylesheet, embedded in the binary and overridable file by file from a
// directory, and one typed render function per page (Login, Consent,
// Logout, LoggedOut, Home, Error). Pages know nothing of LDAP or of the
// protocol; they are handed plain values to show.
//
// Every page exists in English and German. The caller picks the language
// with ChooseLang (ui_locales, then Accept-Language) and a client's
// language-tagged metadata with PickLang; the texts live in a catalog in
// Go, reached from templates as {{t "key"}}, with {{scope "email"}} and
// {{claim "birthdate"}} for scope values and claim names in plain words.
// An override is written once and shows the catalog's texts in the
// language of each request.
package templates
