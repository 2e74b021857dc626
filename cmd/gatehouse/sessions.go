package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gatehouse-idp/gatehouse/conf"
	"github.com/gatehouse-idp/gatehouse/provider/logout"
	"github.com/gatehouse-idp/gatehouse/provider/oauth"
	"github.com/gatehouse-idp/gatehouse/provider/session"
	"github.com/gatehouse-idp/gatehouse/provider/storage"
)

// sessions ends a person's browser sessions from the shell. It needs the
// shared session store (sessions.store: redis): sessions in memory live
// in the running server's process, out of reach.
func (a *app) sessions(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "end" {
		return usageError("sessions: want end (see gatehouse help)")
	}
	fs := newFlagSet("sessions end")
	configPath := fs.String("config", "", "configuration file (default conf/gatehouse.yaml, env GATEHOUSE_CONFIG)")
	subject := fs.String("sub", "", "the person's subject (sub claim)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *subject == "" {
		return usageError("sessions end: --sub is required")
	}
	cfg, err := conf.Load(a.configPath(*configPath))
	if err != nil {
		return asUsage(err)
	}
	if cfg.Sessions.Store != "redis" {
		return usageError("sessions.store: %q keeps sessions in the server's memory, out of this command's reach; "+
			"use the account page, or restart the server", cfg.Sessions.Store)
	}
	kv, closeKV, err := sessionStore(cfg.Sessions)
	if err != nil {
		return err
	}
	defer closeKV()
	ss := session.NewSessions(kv, cfg.Sessions.Lifetime, cfg.Sessions.IdleTimeout, nil)
	ended, err := ss.EndAll(ctx, *subject, "")
	notifier := cliLogoutNotifier(kv)
	for _, s := range ended {
		fmt.Fprintf(a.stdout, "ended %s\t%d clients told\n", s.SID, len(s.Clients))
		if notifier != nil {
			notifier.SessionEnded(ctx, logout.Ended{Subject: s.Subject, SID: s.SID, Clients: s.Clients})
		}
	}
	if err != nil {
		return fmt.Errorf("end sessions of %s: %w", *subject, err)
	}
	return nil
}

// cliLogoutNotifier queues back-channel logout jobs in the shared queue,
// where the running servers' workers deliver them (and end the sessions'
// refresh tokens), as after /logout. Front-channel logout needs the
// person's browser and is not done.
func cliLogoutNotifier(kv session.KV) *logout.Notifier {
	r, ok := kv.(*session.Redis)
	if !ok {
		return nil
	}
	return logout.NewNotifier(logout.Notifier{
		Queue: logout.NewRedis(r.Client(), r.Prefix(), nil),
		// No front-channel URLs are wanted here: no client is looked up.
		Clients: func(context.Context, string) (oauth.Client, error) { return oauth.Client{}, storage.ErrNotFound },
		Log:     slog.New(slog.DiscardHandler),
	})
}
