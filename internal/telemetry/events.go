package telemetry

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse-idp/gatehouse/provider/audit"
)

// eventCounters are the counters made from audit events.
type eventCounters struct {
	tokens, signIns, consents *prometheus.CounterVec
	revocations               *prometheus.CounterVec
	registrations             *prometheus.CounterVec
	refreshReuse, codeReplay  prometheus.Counter
	throttle                  prometheus.Counter
}

func newEventCounters(m *Metrics) eventCounters {
	var client []string
	if m.clientLabels {
		client = []string{"client_id"}
	}
	return eventCounters{
		tokens: m.counterVec("token_issued_total", "Successful token responses, by grant type and client authentication method.",
			append([]string{"grant_type", "auth_method"}, client...)...),
		signIns: m.counterVec("signin_total",
			"Password checks at the login page, by outcome (ok, invalid, locked, expired, must_change, disabled, account_expired, not_permitted, throttled, unavailable).",
			append([]string{"outcome"}, client...)...),
		consents: m.counterVec("consent_total", "Answers on the consent page, by decision (allow, deny).",
			append([]string{"decision"}, client...)...),
		revocations: m.counterVec("revocations_total",
			"Revocation requests that reached a token of ours, by token type and outcome (revoked, foreign).", "token_type", "outcome"),
		registrations: m.counterVec("client_registrations_total",
			"Changes to client registrations, by action (created, updated, deleted, secret_rotated).", "action"),
		refreshReuse: m.counter("refresh_reuse_total", "Rotated refresh tokens presented again; each revoked its grant's refresh tokens."),
		codeReplay:   m.counter("code_replay_total", "Authorization codes presented a second time; each revoked the tokens of the first use."),
		throttle:     m.counter("throttle_triggered_total", "Failed sign-ins after which the throttle refused further attempts for a while."),
	}
}

// Record counts an audit event (audit.Recorder).
func (m *Metrics) Record(_ context.Context, e audit.Event) {
	c := &m.events
	switch e.Type {
	case audit.TypeTokenIssued:
		c.tokens.WithLabelValues(m.withClient(e, e.GrantType, e.AuthMethod)...).Inc()
	case audit.TypeSignIn:
		c.signIns.WithLabelValues(m.withClient(e, e.Outcome)...).Inc()
	case audit.TypeConsent:
		c.consents.WithLabelValues(m.withClient(e, e.Outcome)...).Inc()
	case audit.TypeRevocation:
		c.revocations.WithLabelValues(e.TokenType, e.Outcome).Inc()
	case audit.TypeRefreshReuse:
		c.refreshReuse.Inc()
	case audit.TypeCodeReplay:
		c.codeReplay.Inc()
	case audit.TypeThrottle:
		c.throttle.Inc()
	case audit.TypeClientCreated:
		c.registrations.WithLabelValues("created").Inc()
	case audit.TypeClientUpdated:
		c.registrations.WithLabelValues("updated").Inc()
	case audit.TypeClientDeleted:
		c.registrations.WithLabelValues("deleted").Inc()
	case audit.TypeClientSecretRotated:
		c.registrations.WithLabelValues("secret_rotated").Inc()
	}
}

// withClient appends the event's client_id to values when client labels
// are on.
func (m *Metrics) withClient(e audit.Event, values ...string) []string {
	if m.clientLabels {
		return append(values, e.ClientID)
	}
	return values
}

var _ audit.Recorder = (*Metrics)(nil)
