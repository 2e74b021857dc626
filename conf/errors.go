package conf

import (
	"strconv"
	"strings"
)

// DecodeError reports that the file is not well-formed YAML or does not fit
// the shape of Config: an unknown key, a duplicate key, or a value of the
// wrong type. Every such problem found is listed.
type DecodeError struct {
	// File is the name given to Parse, usually the path of the file.
	File     string
	Problems []LineProblem
}

// LineProblem is one problem with the text of the file.
type LineProblem struct {
	// Line is the 1-based line of the offending key or value; 0 when the YAML
	// parser could not say.
	Line int
	// Path is the dotted YAML path involved, e.g. "ldap.users.filter" or
	// "ldap.urls[1]"; empty for problems with the document as a whole.
	Path string
	// Text is the complete description; it already names Path.
	Text string
}

// Error renders every problem as "file:line: text", joined by "; " so that
// the command line can print it as the single line the CLI contract asks for.
func (e *DecodeError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = e.File + lineSuffix(p.Line) + ": " + p.Text
	}
	return strings.Join(parts, "; ")
}

func lineSuffix(line int) string {
	if line <= 0 {
		return ""
	}
	return ":" + strconv.Itoa(line)
}

// ValidationError reports every value that is well-typed but wrong: a bad
// URL, a value outside its allowed set, settings that contradict each other,
// or a secret that could not be resolved.
type ValidationError struct {
	// File is the name given to Parse; empty when Validate was called directly.
	File     string
	Problems []Problem
}

// Problem is one invalid setting.
type Problem struct {
	// Path is the dotted YAML path of the setting, e.g. "op.authz.responseModes[2]".
	Path string
	// Message says what is wrong, without repeating Path.
	Message string
}

// String renders the problem as "path: message".
func (p Problem) String() string {
	return p.Path + ": " + p.Message
}

// Error renders "file: path: message; path: message" on one line.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	joined := strings.Join(parts, "; ")
	if e.File == "" {
		return joined
	}
	return e.File + ": " + joined
}
