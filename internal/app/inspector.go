package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/inspector"
	"github.com/openvest/openvest/internal/store"
)

// newInspector builds the request inspector's recorder (nil when it is
// off). On PostgreSQL it tells the other replicas of each batch (NOTIFY),
// so that every replica's live tails see every replica's records.
func newInspector(cfg config.Config, st *store.Store, now func() time.Time, log *slog.Logger) *inspector.Recorder {
	if !cfg.Inspector.Enabled {
		return nil
	}
	opts := inspector.Options{
		Buffer: cfg.Inspector.Buffer, MaxRecords: cfg.Inspector.MaxRecords, MaxAge: cfg.Inspector.MaxAge, Now: now, Log: log,
	}
	if st.Dialect == store.Postgres {
		opts.Notifier = st
	}
	return inspector.NewRecorder(st.Inspector(), inspector.NewHub(), opts)
}

// listenInspector listens, on PostgreSQL, for the records other replicas
// write, over the direct URL (one connection). Behind a transaction pooler
// without a direct URL there is no LISTEN: a live tail then shows the
// requests its own replica served (the list shows them all).
func (a *App) listenInspector(ctx context.Context) error {
	if a.Inspector == nil || a.Store.Dialect != store.Postgres || a.stopInspectorListen != nil || a.Config.Scale.PollOnly() {
		return nil
	}
	direct, err := directURL(a.Config)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	if err := store.Listen(ctx, direct, store.InspectorChannel, "", func(payload string) {
		if payload != "" {
			a.Inspector.Received(payload)
		}
	}, a.Log); err != nil {
		cancel()
		return err
	}
	a.stopInspectorListen = cancel
	return nil
}
