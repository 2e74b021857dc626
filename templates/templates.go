package templates

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strings"
)

//go:embed pages/*.html static/*
var embedded embed.FS

// pageNames are the pages that must exist, each rendered inside base.html.
var pageNames = []string{"home", "error", "login", "password", "consent", "logout", "loggedout", "mfa"}

// Renderer holds the parsed pages, once per language. It is safe for
// concurrent use.
type Renderer struct {
	pages  map[string]map[string]*template.Template // language → page → template
	static fs.FS
	prefix string
}

// Load parses the embedded pages, with any file of the same name in dir
// (when dir is not empty) taking the embedded one's place. Every required
// page is parsed and then rendered once with sample data in every
// language, so a broken override — bad syntax, a misspelt field or text
// key — stops the start, not a request.
func Load(dir string) (*Renderer, error) {
	files, err := overlay(dir)
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]map[string]*template.Template{}, static: files.static}
	for _, lang := range languages {
		r.pages[lang] = map[string]*template.Template{}
		for _, name := range pageNames {
			t, err := parsePage(files.pages, name, funcs(lang))
			if err != nil {
				return nil, err
			}
			r.pages[lang][name] = t
		}
	}
	if err := r.rehearse(); err != nil {
		return nil, err
	}
	return r, nil
}

// Under returns a renderer for pages served under a path prefix, the path
// of an issuer such as https://idp.example/tenant: its pages link the
// stylesheet at prefix + "/static/" and its default links home lead to
// prefix + "/". The parsed pages are shared.
func (r *Renderer) Under(prefix string) *Renderer {
	c := *r
	c.prefix = strings.TrimRight(prefix, "/")
	return &c
}

// Static serves the stylesheet and any other static files.
func (r *Renderer) Static() http.Handler {
	return http.FileServerFS(r.static)
}

// page is what base.html sees: the frame's fields plus the page's own.
type page struct {
	Lang  string
	Title string
	// Static is the URL path of the static files, without a trailing slash.
	Static string
	Data   any
}

// view is one page ready to be rendered.
type view struct {
	name    string // in pageNames
	status  int
	noStore bool // for pages that carry a CSRF token
	page    page
}

func (r *Renderer) render(w http.ResponseWriter, v view) error {
	// Rendered into a buffer first so that a failing template never sends
	// half a page with a 200 status.
	body, err := r.execute(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", v.page.Lang)
	if v.noStore {
		// A form's CSRF token is bound to one flow; a cached copy would
		// only ever fail, and must not outlive the session in a shared cache.
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(v.status)
	_, err = w.Write(body)
	return err
}

func (r *Renderer) execute(v view) ([]byte, error) {
	v.page.Static = r.prefix + "/static"
	var buf bytes.Buffer
	if err := r.pages[v.page.Lang][v.name].ExecuteTemplate(&buf, "base", v.page); err != nil {
		return nil, fmt.Errorf("render %s page: %w", v.name, err)
	}
	return buf.Bytes(), nil
}

// rehearse renders every page with sample data in every language. Besides
// finding mistakes that parsing cannot, it runs html/template's escaping
// analysis of each page now rather than on its first request.
func (r *Renderer) rehearse() error {
	for _, lang := range languages {
		views, err := r.samples(lang)
		if err != nil {
			return err
		}
		for _, v := range views {
			if _, err := r.execute(v); err != nil {
				return fmt.Errorf("template %s.html (%s): %w", v.name, lang, err)
			}
		}
	}
	return nil
}

type fileSet struct {
	pages  fs.FS
	static fs.FS
}

func overlay(dir string) (fileSet, error) {
	pages, _ := fs.Sub(embedded, "pages")
	static, _ := fs.Sub(embedded, "static")
	if dir == "" {
		return fileSet{pages: pages, static: static}, nil
	}
	info, err := os.Stat(dir)
	if err != nil {
		return fileSet{}, fmt.Errorf("templates.dir: %w", err)
	}
	if !info.IsDir() {
		return fileSet{}, fmt.Errorf("templates.dir: %s is not a directory", dir)
	}
	custom := os.DirFS(dir)
	return fileSet{
		pages:  layered{top: custom, bottom: pages},
		static: layered{top: subOrEmpty(custom, "static"), bottom: static},
	}, nil
}

// layered reads a file from top when it is there, else from bottom.
type layered struct{ top, bottom fs.FS }

func (l layered) Open(name string) (fs.File, error) {
	f, err := l.top.Open(name)
	if err == nil {
		return f, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return l.bottom.Open(name)
}

func subOrEmpty(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return emptyFS{}
	}
	return sub
}

type emptyFS struct{}

func (emptyFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func parsePage(files fs.FS, name string, funcs template.FuncMap) (*template.Template, error) {
	t := template.New(name).Funcs(funcs).Option("missingkey=error")
	for _, file := range []string{"base.html", name + ".html"} {
		data, err := fs.ReadFile(files, file)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", file, err)
		}
		if _, err := t.New(path.Base(file)).Parse(string(data)); err != nil {
			return nil, fmt.Errorf("template %s: %w", file, err)
		}
	}
	for _, block := range []string{"base", "content"} {
		if t.Lookup(block) == nil {
			return nil, fmt.Errorf("template %s: no {{define %q}} block", name+".html", block)
		}
	}
	return t, nil
}

// ContentSecurityPolicy is the policy the pages are written for: styles
// and images of our own (client logos from https too), no scripts, no
// framing (click-jacking of the sign-in), forms posting to us — and to
// formActions, the origins a form's answer may redirect to: browsers apply
// form-action to the redirects that follow a submission too, so a sign-in
// form that ends at the client's redirect URI must name its origin.
func ContentSecurityPolicy(formActions ...string) string {
	action := "'self'"
	for _, a := range formActions {
		action += " " + a
	}
	return "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action " + action +
		"; frame-ancestors 'none'; base-uri 'none'"
}
