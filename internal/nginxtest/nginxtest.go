// Package nginxtest starts a private nginx as a TLS-terminating proxy for
// tests: it serves HTTPS on a loopback port, asks browsers and clients for a
// certificate, and passes it to the backend in a header, as a production
// proxy in front of Gatehouse would.
package nginxtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// Packages names what to install when nginx is missing.
const Packages = "nginx"

// Options describe the proxy.
type Options struct {
	// Backend is the http://host:port the proxy forwards to.
	Backend string
	// CertFile and KeyFile are the proxy's own server certificate.
	CertFile, KeyFile string
	// ClientCA, when set, makes nginx verify client certificates against
	// it (ssl_verify_client on); empty accepts any certificate and leaves
	// the checking to the backend (optional_no_ca).
	ClientCA string
	// Header is the request header that carries the client certificate,
	// URL-encoded PEM ($ssl_client_escaped_cert).
	Header string
}

// Proxy is a running nginx.
type Proxy struct {
	// URL is https://127.0.0.1:PORT.
	URL    string
	cmd    *exec.Cmd
	exited chan struct{} // closed when nginx has exited
	err    error         // cmd.Wait's result; read after exited
	log    string
}

var confTemplate = template.Must(template.New("nginx").Parse(`daemon off;
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path {{.Dir}}/body;
  proxy_temp_path {{.Dir}}/proxy;
  fastcgi_temp_path {{.Dir}}/fastcgi;
  uwsgi_temp_path {{.Dir}}/uwsgi;
  scgi_temp_path {{.Dir}}/scgi;
  server {
    listen 127.0.0.1:{{.Port}} ssl;
    ssl_certificate {{.CertFile}};
    ssl_certificate_key {{.KeyFile}};
{{- if .ClientCA}}
    ssl_verify_client on;
    ssl_client_certificate {{.ClientCA}};
    ssl_verify_depth 2;
{{- else}}
    ssl_verify_client optional_no_ca;
{{- end}}
    location / {
      proxy_pass {{.Backend}};
      proxy_set_header Host $http_host;
      proxy_set_header {{.Header}} $ssl_client_escaped_cert;
    }
  }
}
`))

// Start runs nginx for the test and stops it when the test ends. Without
// nginx the test is skipped, except with CI=true, where it fails.
func Start(t testing.TB, o Options) *Proxy {
	t.Helper()
	bin := mustFind(t)
	return startProxy(t, func(dir string) (*Proxy, error) { return start(bin, dir, o) })
}

// startProxy runs one start attempt after another until one gets a port,
// and stops the proxy when the test ends.
func startProxy(t testing.TB, attempt func(dir string) (*Proxy, error)) *Proxy {
	t.Helper()
	var lastErr error
	for range 5 { // a port taken between choosing and binding is retried
		p, err := attempt(t.TempDir())
		if err == nil {
			t.Cleanup(p.stop)
			return p
		}
		lastErr = err
	}
	t.Fatalf("nginxtest: %v", lastErr)
	return nil
}

func start(bin, dir string, o Options) (*Proxy, error) {
	return launch(bin, dir, "https", func(port int) (*template.Template, any) {
		return confTemplate, struct {
			Options
			Dir  string
			Port int
		}{o, dir, port}
	})
}

// launch writes the configuration that conf renders for a free port and
// starts nginx on it; scheme is the proxy URL's.
func launch(bin, dir, scheme string, conf func(port int) (*template.Template, any)) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	var text bytes.Buffer
	tmpl, data := conf(port)
	if err := tmpl.Execute(&text, data); err != nil {
		return nil, err
	}
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, text.Bytes(), 0o600); err != nil {
		return nil, err
	}
	p := &Proxy{URL: scheme + "://127.0.0.1:" + strconv.Itoa(port), exited: make(chan struct{}), log: filepath.Join(dir, "error.log")}
	p.cmd = exec.Command(bin, "-c", confPath, "-p", dir, "-e", p.log)
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			out, _ := os.ReadFile(p.log)
			return nil, fmt.Errorf("nginx exited: %v\n%s", p.err, out)
		default:
		}
		if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond); err == nil {
			_ = c.Close()
			return p, nil
		}
		time.Sleep(10 * time.Millisecond) // polling a port that is about to open
	}
	_ = p.cmd.Process.Kill()
	<-p.exited
	return nil, errors.New("nginx did not start listening")
}

func (p *Proxy) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

func find() string {
	for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	return ""
}

// mustFind finds nginx, or skips the test (fails it with CI=true).
func mustFind(t testing.TB) string {
	t.Helper()
	bin := find()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nginxtest: nginx not found; install the Debian package %s", Packages)
		}
		t.Skipf("nginxtest: nginx not found; install the Debian package %s (scripts/test-deps.sh)", Packages)
	}
	return bin
}
