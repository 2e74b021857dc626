package conf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads the configuration file at path and returns it decoded,
// defaulted, with its secrets resolved and validated; see Parse.
//
// A missing or unreadable file is an error that names the file and wraps the
// underlying *fs.PathError, so errors.Is(err, fs.ErrNotExist) works.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return Parse(data, path)
}

// Parse turns the YAML in data into a ready-to-use Config. name is only used
// in error messages, normally the file's path.
//
// The steps are:
//   - decode strictly: a syntax error, an unknown key, a duplicate key or a
//     value of the wrong type yields a *DecodeError listing each one as
//     "name:line: ...";
//   - fill in the default of every setting left at its zero value (an empty
//     document is all defaults);
//   - resolve secrets from ldap.bindPasswordFile, ldap.bindPasswordEnv and
//     sessions.redis.passwordEnv; relative file paths are taken relative to
//     the current working directory, not to the configuration file;
//   - validate, collecting every problem (including unresolvable secrets)
//     into one *ValidationError.
//
// No "$VAR" in any value is expanded.
func Parse(data []byte, name string) (*Config, error) {
	cfg, err := decode(data, name)
	if err != nil {
		return nil, err
	}
	applyDefaults(cfg)
	problems := cfg.problems()
	problems = append(problems, resolveSecrets(cfg)...)
	if len(problems) > 0 {
		return nil, &ValidationError{File: name, Problems: problems}
	}
	return cfg, nil
}

// decode checks the shape of the document against Config before decoding it
// for real, because yaml.v3 alone stops at the first unknown key and names it
// without its full path.
func decode(data []byte, name string) (*Config, error) {
	cfg := new(Config)
	root, problem := parseDocument(data)
	if problem != nil {
		return nil, &DecodeError{File: name, Problems: []LineProblem{*problem}}
	}
	if root == nil {
		return cfg, nil
	}
	if problems := checkShape(root); len(problems) > 0 {
		return nil, &DecodeError{File: name, Problems: problems}
	}
	if err := decodeKnownFields(data, cfg); err != nil {
		return nil, &DecodeError{File: name, Problems: yamlProblems(err)}
	}
	return cfg, nil
}

// parseDocument returns the single YAML document in data, or nil when data
// holds none (an empty file or only comments).
func parseDocument(data []byte) (*yaml.Node, *LineProblem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		p := yamlProblems(err)[0]
		return nil, &p
	}
	// A second document would be silently ignored by the real decode; an
	// operator who wrote one surely expected it to count.
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p := yamlProblems(err)[0]
		return nil, &p
	default:
		return nil, &LineProblem{Line: extra.Line, Text: "only one YAML document is allowed"}
	}
	return &doc, nil
}

// decodeKnownFields is the real decode. After checkShape it should not fail;
// it stays strict so that a gap in checkShape cannot let a typo through.
func decodeKnownFields(data []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(cfg)
}

// yamlProblems turns a yaml.v3 error into line problems. yaml.v3 writes
// "yaml: line 3: message" for syntax errors and a list of "line 7: message"
// for type errors; some syntax errors carry no line at all.
func yamlProblems(err error) []LineProblem {
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		problems := make([]LineProblem, len(typeErr.Errors))
		for i, msg := range typeErr.Errors {
			problems[i] = lineProblem(msg)
		}
		return problems
	}
	return []LineProblem{lineProblem(strings.TrimPrefix(err.Error(), "yaml: "))}
}

func lineProblem(msg string) LineProblem {
	rest, ok := strings.CutPrefix(msg, "line ")
	if !ok {
		return LineProblem{Text: msg}
	}
	num, text, ok := strings.Cut(rest, ": ")
	line, err := strconv.Atoi(num)
	if !ok || err != nil {
		return LineProblem{Text: msg}
	}
	return LineProblem{Line: line, Text: text}
}
