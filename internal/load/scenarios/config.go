package scenarios

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Config is what every scenario needs to know of the server and its
// client registration.
type Config struct {
	// Target is the server's base URL, e.g. http://127.0.0.1:8080.
	Target string
	// ClientID and ClientSecret are a confidential client registered for
	// client_secret_basic with the grants authorization_code,
	// refresh_token and client_credentials, the scope offline_access,
	// and RedirectURI.
	ClientID, ClientSecret string
	RedirectURI            string
	// Users sign in in the code-flow, userinfo and refresh scenarios.
	Users []User
	// Workers is the number of worker indexes Do is called with
	// (load.Options.Slots).
	Workers int
	// Timeout bounds each HTTP request (default 10 s); the runner bounds
	// each iteration besides.
	Timeout time.Duration
	// Transport, when set, carries every request (tests, proxies);
	// otherwise each scenario has its own, sized for Workers.
	Transport http.RoundTripper
	// OnConsent, when set, hears of every consent the server accepted
	// (the allow decision, then a code for the client): the cluster test
	// checks afterwards that each one is still in the directory.
	OnConsent func(user User)
}

// User is a person of the directory.
type User struct{ Name, Password string }

// GenerateUsers makes count users from a pattern "NAME:PASSWORD" whose two
// halves are fmt formats of the user's number (1 to count), e.g.
// "user%04d:password%04d"; a half without a verb is the same for all.
func GenerateUsers(pattern string, count int) ([]User, error) {
	namePat, pwPat, ok := strings.Cut(pattern, ":")
	if !ok || namePat == "" || pwPat == "" {
		return nil, fmt.Errorf("users pattern %q: want NAME:PASSWORD, e.g. user%%04d:password%%04d", pattern)
	}
	if count < 1 {
		return nil, fmt.Errorf("user count %d: want at least 1", count)
	}
	users := make([]User, count)
	for i := range users {
		users[i] = User{Name: numbered(namePat, i+1), Password: numbered(pwPat, i+1)}
		if strings.Contains(users[i].Name+users[i].Password, "%!") {
			return nil, fmt.Errorf("users pattern %q: each half takes exactly one number (%%d)", pattern)
		}
	}
	if count > 1 && users[0].Name == users[1].Name {
		return nil, fmt.Errorf("users pattern %q: the name must hold the number", pattern)
	}
	return users, nil
}

func (c Config) validate(needUsers, needClient bool) error {
	var errs []error
	if c.Target == "" {
		errs = append(errs, errors.New("no target"))
	}
	if needClient && (c.ClientID == "" || c.ClientSecret == "") {
		errs = append(errs, errors.New("needs a client ID and secret"))
	}
	if needUsers && (len(c.Users) == 0 || c.RedirectURI == "") {
		errs = append(errs, errors.New("needs users and the client's redirect URI"))
	}
	return errors.Join(errs...)
}

func (c Config) workers() int { return max(c.Workers, 1) }

func numbered(pattern string, n int) string {
	if !strings.Contains(pattern, "%") {
		return pattern
	}
	return fmt.Sprintf(pattern, n)
}
