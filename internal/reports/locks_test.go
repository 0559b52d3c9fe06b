package reports_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/market"
	"github.com/openvest/openvest/internal/reports"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "reports") }

// noJobs leaves the report's job and executions to the test.
type noJobs struct{}

func (noJobs) ScheduleReport(context.Context, int64, int64, time.Duration) error { return nil }
func (noJobs) Schedule(context.Context, trading.Execution) error                 { return nil }

// TestRunLocksTheReport: a report's job waits for another run of the
// same report (the row lock) and then leaves the report that run
// produced as it is, instead of producing it a second time over it.
func TestRunLocksTheReport(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	a := auth.Organization{Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(), SignaturePolicy: auth.PolicyOptional, CreatedAt: time.Now().UTC()}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &a, auth.Hash("secret")))
	org := investing.Org{ID: a.ID}
	inv := investing.NewService(s.Investing(), time.Now)
	tr := trading.NewService(s.Trading(), market.NewSandbox(), noJobs{}, time.Now)
	svc := reports.NewService(s.Reports(), noJobs{}, nil, inv, tr, event.Discard{}, time.Now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r, err := svc.Create(t.Context(), org, reports.NewReport{Types: []reports.Type{reports.User}})
	require.NoError(t, err)

	h := testdb.Hold(t, s, `UPDATE reports SET status = 'COMPLETED', content = 'produced meanwhile', completed_at = now() WHERE id = ?`, r.ID)
	require.NoError(t, h.RequireWaits(t, testdb.ForUpdate("reports"), func() error { return svc.Run(t.Context(), org.ID, r.ID) }))
	got, err := svc.Report(t.Context(), org, r.ID, true)
	require.NoError(t, err)
	require.Equal(t, reports.Completed, got.Status)
	require.Equal(t, "produced meanwhile", string(got.Content), "the report the other run produced is kept")
}
