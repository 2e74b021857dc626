package dist

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// instruction is one Containerfile instruction, continuation lines joined.
type instruction struct {
	line int    // where it starts, from 1
	cmd  string // upper-cased keyword
	args string
}

// parseContainerfile splits a Containerfile into instructions; comments
// and blank lines are dropped.
func parseContainerfile(r io.Reader) ([]instruction, error) {
	var out []instruction
	var cur *instruction
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		text := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(text, "#") || (text == "" && cur == nil) {
			continue
		}
		more := strings.HasSuffix(text, "\\")
		text = strings.TrimSpace(strings.TrimSuffix(text, "\\"))
		if cur == nil {
			cmd, args, _ := strings.Cut(text, " ")
			cur = &instruction{line: n, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)}
		} else if text != "" {
			cur.args += " " + text
		}
		if !more {
			out = append(out, *cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out, sc.Err()
}

// LintContainerfile reports what makes a Containerfile unfit to ship, one
// message per problem, each naming its line: a base image that is not
// pinned (no tag, or "latest"), a final stage that is not scratch or
// distroless, running as root or as a user name (a name needs /etc/passwd,
// and Kubernetes' runAsNonRoot can only check a number), no exec-form
// HEALTHCHECK (scratch has no shell), an ADD from a URL (unverified
// download), or a shell-form ENTRYPOINT. It is what the container test
// checks when the machine cannot build images.
func LintContainerfile(r io.Reader) ([]string, error) {
	ins, err := parseContainerfile(r)
	if err != nil {
		return nil, err
	}
	l := &linter{args: map[string]string{}, stages: map[string]bool{}}
	for _, in := range ins {
		l.check(in)
	}
	l.checkFinal()
	return l.problems, nil
}

type linter struct {
	args     map[string]string // ARG defaults seen so far
	stages   map[string]bool   // stage names seen so far
	final    finalStage
	froms    int
	problems []string
}

// finalStage is what the last FROM's stage declares.
type finalStage struct {
	line                  int
	base                  string
	user                  *instruction // the last USER, judged at the end
	healthcheck, entryPnt bool
}

func (l *linter) report(line int, format string, a ...any) {
	l.problems = append(l.problems, fmt.Sprintf("line %d: %s", line, fmt.Sprintf(format, a...)))
}

func (l *linter) check(in instruction) {
	switch in.cmd {
	case "ARG":
		name, def, _ := strings.Cut(in.args, "=")
		l.args[strings.TrimSpace(name)] = strings.Trim(strings.TrimSpace(def), `"`)
	case "FROM":
		l.checkFrom(in)
	case "USER":
		l.final.user = &in
	case "HEALTHCHECK":
		l.final.healthcheck = true
		l.checkHealthcheck(in)
	case "ENTRYPOINT":
		l.final.entryPnt = true
		if !isExecForm(in.args) {
			l.report(in.line, "ENTRYPOINT must be in exec form: the final image has no shell")
		}
	case "ADD":
		if urlArg.MatchString(in.args) {
			l.report(in.line, "ADD of a URL downloads unverified content: fetch and check it in a build stage")
		}
	}
}

var (
	urlArg   = regexp.MustCompile(`(?i)(^|\s)(https?|git|ftp)://|(^|\s)git@`)
	varRef   = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?`)
	numericU = regexp.MustCompile(`^(\d+)(:\d+)?$`)
)

func (l *linter) checkFrom(in instruction) {
	l.froms++
	l.final = finalStage{line: in.line}
	fields := strings.Fields(in.args)
	var image string
	for _, f := range fields {
		if !strings.HasPrefix(f, "--") {
			image = f
			break
		}
	}
	if len(fields) >= 3 && strings.EqualFold(fields[len(fields)-2], "AS") {
		defer func() { l.stages[fields[len(fields)-1]] = true }()
	}
	image = varRef.ReplaceAllStringFunc(image, func(ref string) string {
		return l.args[varRef.FindStringSubmatch(ref)[1]]
	})
	l.final.base = image
	if image == "scratch" || l.stages[image] {
		return
	}
	if !pinned(image) {
		l.report(in.line, "base image %q is not pinned: name a version tag or a digest", image)
	}
}

// pinned: a digest, or a tag other than latest.
func pinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	slash := strings.LastIndex(image, "/")
	_, tag, ok := strings.Cut(image[slash+1:], ":")
	return ok && tag != "" && tag != "latest"
}

func (l *linter) checkUser(in instruction) {
	m := numericU.FindStringSubmatch(strings.TrimSpace(in.args))
	switch {
	case m == nil:
		l.report(in.line, "USER %q must be numeric (uid:gid)", in.args)
	case m[1] == "0":
		l.report(in.line, "USER must not be root")
	}
}

func (l *linter) checkHealthcheck(in instruction) {
	rest := in.args
	for strings.HasPrefix(rest, "--") {
		_, rest, _ = strings.Cut(rest, " ")
		rest = strings.TrimSpace(rest)
	}
	cmd, rest, _ := strings.Cut(rest, " ")
	if strings.EqualFold(cmd, "NONE") {
		l.report(in.line, "HEALTHCHECK NONE disables the check")
		return
	}
	if !strings.EqualFold(cmd, "CMD") || !isExecForm(rest) {
		l.report(in.line, "HEALTHCHECK must be CMD in exec form: the final image has no shell")
	}
}

// checkFinal judges the stage that becomes the image.
func (l *linter) checkFinal() {
	f := l.final
	if l.froms == 0 {
		l.report(1, "no FROM")
		return
	}
	if f.base != "scratch" && !strings.HasPrefix(f.base, "gcr.io/distroless/static") {
		l.report(f.line, "final stage is %q: use scratch or gcr.io/distroless/static", f.base)
	}
	if f.user == nil {
		l.report(f.line, "final stage has no USER: it would run as root")
	} else {
		l.checkUser(*f.user)
	}
	if !f.healthcheck {
		l.report(f.line, "final stage has no HEALTHCHECK")
	}
	if !f.entryPnt {
		l.report(f.line, "final stage has no ENTRYPOINT")
	}
}

func isExecForm(s string) bool {
	var argv []string
	return json.Unmarshal([]byte(strings.TrimSpace(s)), &argv) == nil && len(argv) > 0
}
