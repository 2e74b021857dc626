package chaos

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// maxKinds bounds the distinct failures kept per phase.
const maxKinds = 50

// failureKey is one kind of failure: which scenario, its class and what
// went wrong, without what differs between requests (query strings).
type failureKey struct{ Scenario, Class, What string }

// FailureKind counts the failures of one kind in a phase.
type FailureKind struct {
	failureKey
	Count int64
}

// failureLog counts failures by kind, so that a report names the step
// that answered 500 or got no answer, not only the class.
type failureLog struct {
	mu    sync.Mutex
	kinds map[failureKey]int64
}

func (l *failureLog) add(k failureKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kinds == nil {
		l.kinds = map[failureKey]int64{}
	}
	if _, ok := l.kinds[k]; ok || len(l.kinds) < maxKinds {
		l.kinds[k]++
	}
}

// sorted returns the kinds, most frequent first.
func (l *failureLog) sorted() []FailureKind {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []FailureKind
	for k, n := range l.kinds {
		out = append(out, FailureKind{k, n})
	}
	slices.SortFunc(out, func(a, b FailureKind) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Scenario+a.Class+a.What, b.Scenario+b.Class+b.What)
	})
	return out
}

// observed is a scenario whose failures are logged by kind.
type observed struct {
	load.Scenario
	log *failureLog
}

func (o observed) Do(ctx context.Context, worker int) load.Result {
	res := o.Scenario.Do(ctx, worker)
	if res.Err != nil {
		if class := load.Classify(ctx, res.Err); class != load.ClassCanceled {
			o.log.add(failureKey{Scenario: o.Name(), Class: class, What: describe(res.Err)})
		}
	}
	return res
}

// Describe says what failed in a form that is the same for every request
// that failed alike: the step and its status, or the transport's error
// without the query string. The cluster test reports failures with it.
func Describe(err error) string { return describe(err) }

// describe is Describe.
func describe(err error) string {
	var se *load.StatusError
	var be *load.BadAnswerError
	var ue *url.Error
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s: HTTP %d", se.Step, se.Status)
	case errors.As(err, &be):
		return be.Error()
	case errors.As(err, &ue):
		path := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil {
			path = u.Path
		}
		return fmt.Sprintf("%s %s: %v", ue.Op, path, ue.Err)
	}
	return err.Error()
}
