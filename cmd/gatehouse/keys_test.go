package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-idp/gatehouse/ldapstore/ldaptest"
	"github.com/gatehouse-idp/gatehouse/provider/keyset"
)

// issued is one token from the stream, with when it was asked for.
type issued struct {
	instance int
	asked    time.Time
	token    string
}

// TestInstancesShareRotatedKeys: two instances keep their key set in one
// directory entry. While a client streams client_credentials requests to
// both, `gatehouse keys rotate` runs; every token issued verifies against
// the JWKS of either instance, and once both instances publish the new
// keys and the pre-publication period is over, tokens carry the new kid.
func TestInstancesShareRotatedKeys(t *testing.T) {
	slapd := ldaptest.New(t, ldaptest.Options{LDIF: []string{"../../conf/dev-directory.ldif"}})
	dir := t.TempDir()
	pwFile := writeFile(t, dir, "ldap-password", slapd.AdminPassword)
	kekFile := writeFile(t, dir, "kek", keyset.NewKEK()+"\n")
	sum := sha256.Sum256([]byte(signInMasterToken))
	const prePublication, refresh = time.Second, 200 * time.Millisecond
	config := fmt.Sprintf(`issuer: http://127.0.0.1:8080
listen: 127.0.0.1:0
keys:
  store: directory
  directory: {kekFile: %s}
  refreshInterval: %s
  prePublication: %s
ldap:
  urls: [%s]
  bindDN: %s
  bindPasswordFile: %s
op:
  reg: {masterTokenSHA256: %s}
  secrets: {argon2id: {memoryKiB: 1024, iterations: 1, parallelism: 1}}
`, kekFile, refresh, prePublication, slapd.URL, slapd.AdminDN, pwFile, hex.EncodeToString(sum[:]))
	configPath := writeFile(t, dir, "gatehouse.yaml", config)
	servers := []*server{startServe(t, config), startServe(t, config)}

	before := fetchJWKS(t, servers[0])
	if other := fetchJWKS(t, servers[1]); !slices.Equal(kids(before), kids(other)) {
		t.Fatalf("the instances publish different keys: %v and %v", kids(before), kids(other))
	}
	id, secret := registerBatchClient(t, servers[0])

	stream := startTokenStream(servers, id, secret)
	stream.await(t, 6)
	var out bytes.Buffer
	cli := &app{stdout: &out, stderr: &out, getenv: func(string) string { return "" }}
	if code := cli.run(context.Background(), []string{"keys", "rotate", "--config", configPath}); code != exitOK {
		t.Fatalf("keys rotate: exit %d: %s", code, out.String())
	}
	rotated := time.Now()
	if !strings.Contains(out.String(), "sign from") {
		t.Errorf("keys rotate said: %s", out.String())
	}

	// Both instances publish the new keys within a refresh or two.
	seen := pollUntil(t, 10*time.Second, func() bool {
		return len(kids(fetchJWKS(t, servers[0]))) == 6 && len(kids(fetchJWKS(t, servers[1]))) == 6
	})
	switchAt := later(seen, rotated.Add(prePublication))
	stream.awaitAfter(t, switchAt, 6)
	tokens, errs := stream.stop()
	for _, err := range errs {
		t.Error(err)
	}

	sets := []jose.JSONWebKeySet{fetchJWKS(t, servers[0]), fetchJWKS(t, servers[1])}
	oldKids := kids(before)
	usedOld, usedNew := 0, 0
	for _, tok := range tokens {
		kid := verifyWithEach(t, tok, sets)
		if slices.Contains(oldKids, kid) {
			usedOld++
			if tok.asked.After(switchAt) {
				t.Errorf("instance %d signed with the old key %s after the switch", tok.instance, kid)
			}
		} else {
			usedNew++
		}
	}
	if usedOld == 0 || usedNew == 0 {
		t.Errorf("tokens with the old key: %d, with the new: %d; want both", usedOld, usedNew)
	}
	resp, err := http.Get(servers[1].base + "/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	// (1 s − 200 ms) / 2 is under a second: clients must revalidate.
	if got := resp.Header.Get("Cache-Control"); got != "public, max-age=0" {
		t.Errorf("Cache-Control of /jwks.json = %q", got)
	}
}

func registerBatchClient(t *testing.T, s *server) (id, secret string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/clients",
		strings.NewReader(`{"client_name":"Batch","grant_types":["client_credentials"],"response_types":[],"scope":"reports"}`))
	req.Header.Set("Authorization", "Bearer "+signInMasterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ID == "" {
		t.Fatalf("register: %d %v", resp.StatusCode, err)
	}
	return out.ID, out.Secret
}

// tokenStream asks the instances for tokens in turn until stopped.
type tokenStream struct {
	mu     sync.Mutex
	tokens []issued
	errs   []error
	done   chan struct{}
	wg     sync.WaitGroup
}

func startTokenStream(servers []*server, id, secret string) *tokenStream {
	s := &tokenStream{done: make(chan struct{})}
	s.wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-s.done:
				return
			default:
			}
			n := i % len(servers)
			asked := time.Now()
			tok, err := clientCredentials(servers[n], id, secret)
			s.mu.Lock()
			if err != nil {
				s.errs = append(s.errs, fmt.Errorf("instance %d: %w", n, err))
			} else {
				s.tokens = append(s.tokens, issued{instance: n, asked: asked, token: tok})
			}
			s.mu.Unlock()
		}
	})
	return s
}

// await waits until n tokens were issued in all.
func (s *tokenStream) await(t *testing.T, n int) {
	t.Helper()
	s.awaitAfter(t, time.Time{}, n)
}

// awaitAfter waits until each instance issued n/2 tokens asked for after
// from.
func (s *tokenStream) awaitAfter(t *testing.T, from time.Time, n int) {
	t.Helper()
	pollUntil(t, 20*time.Second, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		per := map[int]int{}
		for _, tok := range s.tokens {
			if tok.asked.After(from) {
				per[tok.instance]++
			}
		}
		return per[0] >= n/2 && per[1] >= n/2 || len(s.errs) > 0
	})
}

func (s *tokenStream) stop() ([]issued, []error) {
	close(s.done)
	s.wg.Wait()
	return s.tokens, s.errs
}

func clientCredentials(s *server, id, secret string) (string, error) {
	req, _ := http.NewRequest(http.MethodPost, s.base+"/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &body) != nil || body.AccessToken == "" {
		return "", fmt.Errorf("token: %d %s", resp.StatusCode, raw)
	}
	return body.AccessToken, nil
}

func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	slices.Sort(out)
	return out
}

// verifyWithEach checks tok's signature against every JWK set and returns
// its kid.
func verifyWithEach(t *testing.T, tok issued, sets []jose.JSONWebKeySet) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(tok.token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("token of instance %d: %v", tok.instance, err)
	}
	kid := jws.Signatures[0].Header.KeyID
	for i, set := range sets {
		keys := set.Key(kid)
		if len(keys) != 1 {
			t.Errorf("token of instance %d (kid %s) has no key in the JWKS of instance %d", tok.instance, kid, i)
			continue
		}
		if _, err := jws.Verify(keys[0]); err != nil {
			t.Errorf("token of instance %d does not verify with the JWKS of instance %d: %v", tok.instance, i, err)
		}
	}
	return kid
}

// pollUntil polls cond until it holds and returns when it first did.
func pollUntil(t *testing.T, bound time.Duration, cond func() bool) time.Time {
	t.Helper()
	deadline := time.Now().Add(bound)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", bound)
		}
		<-tick.C
	}
	return time.Now()
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
