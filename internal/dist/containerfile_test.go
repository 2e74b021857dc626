package dist

import (
	"os"
	"strings"
	"testing"
)

const goodContainerfile = `ARG GO_IMAGE=golang:1.26
FROM ${GO_IMAGE} AS build
RUN go build -o /out/app .
FROM scratch
COPY --from=build /out/app /app
USER 65532:65532
HEALTHCHECK --interval=30s \
    CMD ["/app", "healthcheck"]
ENTRYPOINT ["/app"]
`

func lint(t *testing.T, text string) []string {
	t.Helper()
	problems, err := LintContainerfile(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

func TestLintContainerfileFindsEachProblem(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{name: "good file", want: ""},
		{name: "unpinned base", old: "golang:1.26", new: "golang", want: "line 2: base image \"golang\" is not pinned"},
		{name: "latest base", old: "golang:1.26", new: "golang:latest", want: "not pinned"},
		{name: "digest is pinned", old: "golang:1.26", new: "golang@sha256:0123", want: ""},
		{name: "registry port is not a tag", old: "golang:1.26", new: "localhost:5000/golang", want: "not pinned"},
		{name: "fat final stage", old: "FROM scratch", new: "FROM debian:12", want: "use scratch or gcr.io/distroless/static"},
		{name: "distroless is fine", old: "FROM scratch", new: "FROM gcr.io/distroless/static-debian12:nonroot", want: ""},
		{name: "root user", old: "USER 65532:65532", new: "USER 0:0", want: "line 6: USER must not be root"},
		{name: "named user", old: "USER 65532:65532", new: "USER gatehouse", want: "must be numeric"},
		{name: "no user", old: "USER 65532:65532\n", new: "", want: "no USER"},
		{name: "shell healthcheck", old: `CMD ["/app", "healthcheck"]`, new: "CMD curl -f http://localhost/", want: "HEALTHCHECK must be CMD in exec form"},
		{name: "healthcheck none", old: "HEALTHCHECK --interval=30s \\\n    CMD [\"/app\", \"healthcheck\"]", new: "HEALTHCHECK NONE", want: "disables"},
		{name: "no healthcheck", old: "HEALTHCHECK --interval=30s \\\n    CMD [\"/app\", \"healthcheck\"]\n", new: "", want: "no HEALTHCHECK"},
		{name: "ADD of a URL", old: "RUN go build", new: "ADD https://example.com/x.tgz /x\nRUN go build", want: "ADD of a URL"},
		{name: "shell entrypoint", old: `ENTRYPOINT ["/app"]`, new: "ENTRYPOINT /app", want: "ENTRYPOINT must be in exec form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := goodContainerfile
			if tt.old != "" {
				if !strings.Contains(text, tt.old) {
					t.Fatalf("test bug: %q not in the sample", tt.old)
				}
				text = strings.Replace(text, tt.old, tt.new, 1)
			}
			problems := lint(t, text)
			if tt.want == "" {
				if len(problems) != 0 {
					t.Fatalf("problems %q, want none", problems)
				}
				return
			}
			if len(problems) != 1 || !strings.Contains(problems[0], tt.want) {
				t.Fatalf("problems %q, want exactly one containing %q", problems, tt.want)
			}
		})
	}
}

func TestShippedContainerfileLintsClean(t *testing.T) {
	f, err := os.Open(repoFile(t, "Containerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	problems, err := LintContainerfile(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("Containerfile %s", p)
	}
}
