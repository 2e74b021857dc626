package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gatehouse-idp/gatehouse/internal/load"
)

// Scopes asked for by the sign-ins.
const (
	signInScope  = "openid profile email"
	offlineScope = "openid profile offline_access"
)

// constructors are the scenarios by name, in the order All runs them.
var constructors = []struct {
	name string
	make func(Config) (load.Scenario, error)
}{
	{"discovery", newDiscovery},
	{"client-credentials", newClientCredentials},
	{"introspect", newIntrospect},
	{"userinfo", newUserInfo},
	{"refresh", newRefresh},
	{"code-flow", func(c Config) (load.Scenario, error) { return newCodeFlow(c, false) }},
	{"code-flow-returning", func(c Config) (load.Scenario, error) { return newCodeFlow(c, true) }},
	{"code-flow-full", newCodeFlowFull},
}

// Names lists the scenarios, in the order a full run goes through them.
func Names() []string {
	names := make([]string, len(constructors))
	for i, c := range constructors {
		names[i] = c.name
	}
	return names
}

// New returns the scenario called name.
func New(name string, c Config) (load.Scenario, error) {
	i := slices.IndexFunc(constructors, func(e struct {
		name string
		make func(Config) (load.Scenario, error)
	}) bool {
		return e.name == name
	})
	if i < 0 {
		return nil, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	sc, err := constructors[i].make(c)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", name, err)
	}
	return sc, nil
}
