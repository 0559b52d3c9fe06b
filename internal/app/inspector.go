package app

import (
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
