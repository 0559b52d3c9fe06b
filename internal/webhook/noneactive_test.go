package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/httpapi"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestNoneActiveNote: the note that a statement found no active webhook
// (webhook.NoteNoneActive, the customer create's) spares the
// organization's next emission in the transaction and no other; a webhook
// created or activated in the transaction after the note gets its own
// event all the same.
func TestNoneActiveNote(t *testing.T) {
	t.Parallel()
	for dialect, open := range map[string]func(testing.TB) *store.Store{"postgres": testdb.Postgres, "sqlite": testdb.SQLite} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			ctx := t.Context()
			orgs := auth.NewService(s.Auth(), time.Now, time.Hour)
			svc := newService(s, &queued{})
			names := func(orgID, webhookID int64) []string {
				t.Helper()
				p, err := svc.Deliveries(ctx, orgID, webhookID, nil, investing.PageRequest{Limit: 100})
				require.NoError(t, err)
				var out []string
				for _, d := range p.Items {
					out = append(out, d.Event)
				}
				return out
			}

			// one emission spared, the next recorded
			org, _, err := orgs.CreateOrganization(ctx, auth.NewOrganization{Name: t.Name() + "-one"})
			require.NoError(t, err)
			w, err := svc.Create(ctx, org.ID, "https://hooks.example.com/one", []string{"ALL"})
			require.NoError(t, err)
			events := httpapi.Events{Webhooks: svc} // as the application emits
			customer := investing.Customer{ID: 1, OrganizationID: org.ID, FirstName: "Ada", LastName: "Mwale", Status: investing.Active, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			require.NoError(t, s.WithTx(ctx, func(ctx context.Context) error {
				webhook.NoteNoneActive(ctx, org.ID)
				if err := events.Emit(ctx, org.ID, investing.CustomerCreated{Customer: customer}); err != nil {
					return err
				}
				return events.Emit(ctx, org.ID, investing.CustomerUpdated{Customer: customer})
			}))
			require.ElementsMatch(t, []string{"WEBHOOK.CREATED", "CUSTOMER.UPDATED"}, names(org.ID, w.ID))

			// a webhook created after the note
			other, _, err := orgs.CreateOrganization(ctx, auth.NewOrganization{Name: t.Name() + "-created"})
			require.NoError(t, err)
			var created webhook.Webhook
			require.NoError(t, s.WithTx(ctx, func(ctx context.Context) error {
				webhook.NoteNoneActive(ctx, other.ID)
				created, err = svc.Create(ctx, other.ID, "https://hooks.example.com/created", []string{"ALL"})
				return err
			}))
			require.Equal(t, []string{"WEBHOOK.CREATED"}, names(other.ID, created.ID))

			// a webhook activated after the note
			off := webhook.Deactived
			_, err = svc.Update(ctx, other.ID, webhook.Update{ID: &created.ID, Status: &off})
			require.NoError(t, err)
			on := webhook.Active
			require.NoError(t, s.WithTx(ctx, func(ctx context.Context) error {
				webhook.NoteNoneActive(ctx, other.ID)
				_, err := svc.Update(ctx, other.ID, webhook.Update{ID: &created.ID, Status: &on})
				return err
			}))
			require.Equal(t, []string{"WEBHOOK.CREATED", "WEBHOOK.UPDATED"}, names(other.ID, created.ID),
				"the deactivation's event is not delivered to the webhook it deactivated; the activation's is")
		})
	}
}
