package ldapstore

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/go-ldap/ldap/v3"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// OpObserver hears of every directory operation the pool runs, for
// metrics: server is the URL as configured, op one of the Op names below
// (or "probe" and "dial"), d how long it took, err what it returned (nil
// on success; an LDAP result such as noSuchObject or invalidCredentials
// is an error here, which the observer may tell apart with ldap.IsErrorWithCode).
// It is called on the caller's goroutine, after the operation: keep it fast.
type OpObserver interface {
	ObserveLDAP(server, op string, d time.Duration, err error)
}

// Names of operations, for DoOp and DoIdempotentOp: the label of metrics
// and the name of spans (ldap.<op>).
const (
	OpSearch         = "search"
	OpBind           = "bind"
	OpModify         = "modify"
	OpAdd            = "add"
	OpDelete         = "delete"
	OpPasswordModify = "passwordModify"
	OpOther          = "other"
	opProbe          = "probe"
	opDial           = "dial"
)

// scope names the instrumentation of this package.
const scope = "github.com/gatehouse-idp/gatehouse/ldapstore"

// DoOp is Do for an operation named op, under which it is traced and
// observed.
func (p *Pool) DoOp(ctx context.Context, op string, fn func(*ldap.Conn) error) error {
	return p.do(ctx, op, fn, false)
}

// DoIdempotentOp is DoIdempotent for an operation named op. Each attempt,
// on each server, is its own span and observation.
func (p *Pool) DoIdempotentOp(ctx context.Context, op string, fn func(*ldap.Conn) error) error {
	return p.do(ctx, op, fn, true)
}

// started is one operation on server srv being traced and timed.
type started struct {
	p     *Pool
	srv   int
	op    string
	start time.Time
	span  trace.Span
}

// begin starts the span of op on server srv, a child of ctx's span. The
// operation itself takes no context, so nothing nests under it.
func (p *Pool) begin(ctx context.Context, srv int, op string) started {
	_, span := otel.Tracer(scope).Start(ctx, "ldap."+op, trace.WithSpanKind(trace.SpanKindClient))
	if span.IsRecording() {
		span.SetAttributes(opAttrs(p.cfg.URLs[srv], op)...)
	}
	return started{p: p, srv: srv, op: op, start: time.Now(), span: span}
}

// end records the outcome. The error's text is not recorded, as it may
// hold a DN or a filter: only its kind.
func (s started) end(err error) {
	if err != nil && s.span.IsRecording() {
		kind := errorKind(err)
		s.span.SetAttributes(semconv.ErrorTypeKey.String(kind))
		s.span.SetStatus(codes.Error, kind)
	}
	s.span.End()
	s.p.observe(s.p.cfg.URLs[s.srv], s.op, time.Since(s.start), err)
}

func (p *Pool) observe(server, op string, d time.Duration, err error) {
	if p.cfg.Observer != nil {
		p.cfg.Observer.ObserveLDAP(server, op, d, err)
	}
}

// opAttrs are the attributes of an operation's span: the server, never
// the entry or the filter.
func opAttrs(rawURL, op string) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		semconv.DBSystemNameKey.String("ldap"),
		semconv.DBOperationName(op),
	}
	u, err := parseURL(rawURL)
	if err != nil {
		return attrs
	}
	attrs = append(attrs, semconv.ServerAddress(u.Hostname()))
	port := u.Port()
	if port == "" {
		port = map[string]string{"ldap": "389", "ldaps": "636"}[u.Scheme]
	}
	if n, err := strconv.Atoi(port); err == nil {
		attrs = append(attrs, semconv.ServerPort(n))
	}
	return attrs
}

// errorKind names what went wrong without the server's text: the LDAP
// result ("Invalid Credentials", "No Such Object"), a timeout, or a
// network failure.
func errorKind(err error) string {
	var lerr *ldap.Error
	var nerr net.Error
	switch {
	case isTimeout(err):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &lerr) && lerr.ResultCode != ldap.ErrorNetwork:
		if name, ok := ldap.LDAPResultCodeMap[lerr.ResultCode]; ok {
			return name
		}
		return "LDAP result " + strconv.Itoa(int(lerr.ResultCode))
	case errors.As(err, &nerr) || isServerFault(err):
		return "network"
	}
	return "other"
}
