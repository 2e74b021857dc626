package rig

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client is a registered confidential client.
type Client struct {
	ID, Secret, RedirectURI string
}

// RegisterClient registers, through POST /clients with the master token,
// a client_secret_basic client for every scenario: the code flow with
// refresh tokens (offline_access) and client_credentials. Its redirect URI
// is never visited: the load generator reads the code from the Location.
func RegisterClient(ctx context.Context, baseURL, masterToken string) (Client, error) {
	const redirectURI = "http://127.0.0.1:9/load/callback"
	body, err := json.Marshal(map[string]any{
		"client_name":                "gatehouse-load",
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token", "client_credentials"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "client_secret_basic",
		"scope":                      "openid profile email offline_access",
	})
	if err != nil {
		return Client{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/clients", bytes.NewReader(body))
	if err != nil {
		return Client{}, err
	}
	req.Header.Set("Authorization", "Bearer "+masterToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Client{}, fmt.Errorf("rig: register client: %w", err)
	}
	defer func() { _ = resp.Body.Close() }() // read below or abandoned
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Client{}, fmt.Errorf("rig: register client: %w", err)
	}
	var got struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &got) != nil || got.ID == "" || got.Secret == "" {
		return Client{}, fmt.Errorf("rig: register client: HTTP %d: %.300s", resp.StatusCode, raw)
	}
	return Client{ID: got.ID, Secret: got.Secret, RedirectURI: redirectURI}, nil
}
