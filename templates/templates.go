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
)

//go:embed pages/*.html static/*
var embedded embed.FS

// pageNames are the pages that must exist, each rendered inside base.html.
var pageNames = []string{"home", "error"}

// Renderer holds the parsed pages. It is safe for concurrent use.
type Renderer struct {
	pages  map[string]*template.Template
	static fs.FS
}

// Load parses the embedded pages, with any file of the same name in dir
// (when dir is not empty) taking the embedded one's place. Every required
// page is parsed here, so a broken override stops the start, not a request.
func Load(dir string) (*Renderer, error) {
	files, err := overlay(dir)
	if err != nil {
		return nil, err
	}
	r := &Renderer{pages: map[string]*template.Template{}, static: files.static}
	for _, name := range pageNames {
		t, err := parsePage(files.pages, name)
		if err != nil {
			return nil, err
		}
		r.pages[name] = t
	}
	return r, nil
}

// Static serves the stylesheet and any other static files.
func (r *Renderer) Static() http.Handler {
	return http.FileServerFS(r.static)
}

// HomePage is what the start page shows.
type HomePage struct {
	Issuer       string
	DiscoveryURL string
	JWKSURL      string
}

// Home renders the start page.
func (r *Renderer) Home(w http.ResponseWriter, p HomePage) error {
	return r.render(w, http.StatusOK, "home", page{Lang: "en", Title: "Gatehouse", Data: p})
}

// ErrorPage is an error shown to a person. Message must be written for
// people: it is never an internal error's text.
type ErrorPage struct {
	Title   string
	Message string
	// Code is the OAuth error code, if any, for support requests.
	Code string
}

// Error renders an error page with the given HTTP status.
func (r *Renderer) Error(w http.ResponseWriter, status int, p ErrorPage) error {
	return r.render(w, status, "error", page{Lang: "en", Title: p.Title, Data: p})
}

// page is what base.html sees: the frame's fields plus the page's own.
type page struct {
	Lang  string
	Title string
	Data  any
}

func (r *Renderer) render(w http.ResponseWriter, status int, name string, p page) error {
	var buf bytes.Buffer
	// Rendered into a buffer first so that a failing template never sends
	// half a page with a 200 status.
	if err := r.pages[name].ExecuteTemplate(&buf, "base", p); err != nil {
		return fmt.Errorf("render %s page: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
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

func parsePage(files fs.FS, name string) (*template.Template, error) {
	t := template.New(name).Option("missingkey=error")
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
