package nginxtest

import (
	"testing"
	"text/template"
)

// balancerTemplate is nginx as operators put it in front of several
// Gatehouse instances: plain HTTP on loopback, round robin, and a
// request that could not reach one instance (refused, reset before an
// answer) passed to the next — nginx does that for a POST only when
// nothing was sent yet, so no token request is ever sent twice.
var balancerTemplate = template.Must(template.New("balancer").Parse(`daemon off;
worker_processes 1;
pid {{.Dir}}/nginx.pid;
error_log {{.Dir}}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path {{.Dir}}/body;
  proxy_temp_path {{.Dir}}/proxy;
  fastcgi_temp_path {{.Dir}}/fastcgi;
  uwsgi_temp_path {{.Dir}}/uwsgi;
  scgi_temp_path {{.Dir}}/scgi;
  upstream gatehouse {
{{- range .Backends}}
    server {{.}} max_fails=1 fail_timeout=2s;
{{- end}}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:{{.Port}};
    location / {
      proxy_pass http://gatehouse;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
      proxy_read_timeout 15s;
    }
  }
}
`))

// StartBalancer runs nginx as a round-robin load balancer over backends
// (host:port, plain HTTP) for the test, and stops it when the test ends.
// Its URL is http://127.0.0.1:PORT. Without nginx the test is skipped,
// except with CI=true, where it fails.
func StartBalancer(t testing.TB, backends []string) *Proxy {
	t.Helper()
	bin := mustFind(t)
	return startProxy(t, func(dir string) (*Proxy, error) {
		return launch(bin, dir, "http", func(port int) (*template.Template, any) {
			return balancerTemplate, struct {
				Dir      string
				Port     int
				Backends []string
			}{dir, port, backends}
		})
	})
}
