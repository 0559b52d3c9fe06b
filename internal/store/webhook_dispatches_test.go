package store_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestRecordDispatch: an emission with dispatches records, besides its
// events and deliveries, one dispatch per webhook delivered to (in the
// webhooks' id order), each with its deliveries in the change's order and
// what their attempts send (the webhook's url and key, the event); the
// sweep takes a dispatch only once it is due, once, and DeleteDispatch
// removes one whose attempts are recorded.
func TestRecordDispatch(t *testing.T) {
	t.Parallel()
	forEachOwnDatabase(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Webhooks()
		hook := func(subs ...string) webhook.Webhook {
			w := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/" + rand.Text()[:6], Subscriptions: subs, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0,
				Key: &webhook.Key{KeyID: "whk-" + rand.Text()[:8], Seed: []byte((rand.Text() + rand.Text())[:32]), CreatedAt: t0}}
			require.NoError(t, repo.CreateWebhook(f.ctx, &w))
			return w
		}
		all := hook("ALL")
		customers := hook("CUSTOMER")
		es := []webhook.Event{
			{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":1}`)},
			{ID: uuid.NewString(), OrganizationID: f.org, Name: "ACCOUNT.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"accountId":2}`)},
			{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.UPDATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":1,"status":"ACTIVE"}`)},
		}
		at, due := t0.Add(time.Second), t0.Add(time.Minute)
		// record is an emission with dispatches of es by org, in a transaction
		// of its own, its events given fresh ids when fresh is set.
		record := func(org int64, es []webhook.Event, fresh bool) []webhook.Dispatch {
			t.Helper()
			if fresh {
				es = slices.Clone(es)
				for i := range es {
					es[i].ID = uuid.NewString()
				}
			}
			var ds []webhook.Dispatch
			require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
				var err error
				ds, err = repo.RecordDispatch(ctx, org, es, at, due)
				return err
			}))
			return ds
		}
		ds := record(f.org, es, false)
		require.Len(t, ds, 2, "one dispatch per webhook delivered to")
		want := []struct {
			hook   webhook.Webhook
			events []webhook.Event
		}{{all, es}, {customers, []webhook.Event{es[0], es[2]}}}
		for i, d := range ds {
			require.NotZero(t, d.ID)
			require.Equal(t, f.org, d.OrganizationID)
			require.True(t, d.DueAt.Equal(due))
			require.Len(t, d.Out, len(want[i].events))
			for j, o := range d.Out {
				require.Equal(t, want[i].events[j].ID, o.Event.ID, "dispatch %d, delivery %d: the change's order", i, j)
				require.Equal(t, want[i].events[j].Name, o.Event.Name)
				require.JSONEq(t, string(want[i].events[j].Data), string(o.Event.Data))
				require.Equal(t, want[i].hook.ID, o.Webhook.ID)
				require.Equal(t, want[i].hook.URL, o.Webhook.URL)
				require.Equal(t, webhook.Active, o.Webhook.Status)
				require.NotNil(t, o.Webhook.Key)
				require.Equal(t, want[i].hook.Key.KeyID, o.Webhook.Key.KeyID)
				require.Equal(t, want[i].hook.Key.Seed, o.Webhook.Key.Seed, "the attempts sign with the webhook's own key")
				require.Equal(t, want[i].hook.ID, o.Delivery.WebhookID)
				require.Equal(t, webhook.Pending, o.Delivery.State)
				stored, err := repo.Delivery(f.ctx, f.org, o.Delivery.ID, false)
				require.NoError(t, err)
				require.Equal(t, o.Event.ID, stored.EventID)
				require.Zero(t, stored.Attempts)
				if j > 0 {
					require.Greater(t, o.Delivery.ID, d.Out[j-1].Delivery.ID)
				}
			}
		}

		taken, err := repo.TakeDueDispatches(f.ctx, due.Add(-time.Microsecond), 10)
		require.NoError(t, err)
		require.Empty(t, taken, "not due yet")
		deleted, err := repo.DeleteDispatch(f.ctx, f.org, ds[1].ID)
		require.NoError(t, err)
		require.True(t, deleted)
		deleted, err = repo.DeleteDispatch(f.ctx, f.org, ds[1].ID)
		require.NoError(t, err)
		require.False(t, deleted, "once")
		taken, err = repo.TakeDueDispatches(f.ctx, due, 10)
		require.NoError(t, err)
		require.Len(t, taken, 1, "the deleted dispatch is not swept")
		ids := make([]int64, len(ds[0].Out))
		for i, o := range ds[0].Out {
			ids[i] = o.Delivery.ID
		}
		require.Equal(t, webhook.DueDispatch{ID: ds[0].ID, OrganizationID: f.org, WebhookID: all.ID, DeliveryIDs: ids}, taken[0])
		taken, err = repo.TakeDueDispatches(f.ctx, due.Add(time.Hour), 10)
		require.NoError(t, err)
		require.Empty(t, taken, "a dispatch is taken once")

		// The last record of a dispatch's attempts deletes its row (one
		// statement on PostgreSQL), and only as its organization's.
		again := record(f.org, es[:1], true)
		require.Len(t, again, 2)
		ended := []webhook.Delivery{again[0].Out[0].Delivery}
		ended[0].State = webhook.Succeeded
		require.NoError(t, repo.RecordDispatches(f.ctx, []webhook.DispatchRecord{{OrganizationID: f.other, DispatchID: again[0].ID, Ended: ended}}, 1, at))
		stored, err := repo.Delivery(f.ctx, f.org, ended[0].ID, false)
		require.NoError(t, err)
		require.Equal(t, webhook.Pending, stored.State, "another organization's record saves nothing")
		require.Zero(t, stored.Attempts)
		require.NoError(t, repo.RecordDispatches(f.ctx, []webhook.DispatchRecord{{OrganizationID: f.org, DispatchID: again[0].ID, Ended: ended}}, 1, at))
		stored, err = repo.Delivery(f.ctx, f.org, ended[0].ID, false)
		require.NoError(t, err)
		require.Equal(t, webhook.Succeeded, stored.State)
		require.Equal(t, 1, stored.Attempts)
		taken, err = repo.TakeDueDispatches(f.ctx, due, 10)
		require.NoError(t, err)
		require.Len(t, taken, 1, "the recorded dispatch's row is gone; the other's is not")
		require.Equal(t, again[1].ID, taken[0].ID)

		// Several dispatches' last records in one statement, each matched
		// on its own organization: the other organization's record of
		// this organization's delivery and dispatch changes nothing.
		batch := record(f.org, []webhook.Event{es[0], es[2]}, true)
		require.Len(t, batch, 2)
		var recs []webhook.DispatchRecord
		for i, d := range batch {
			org := f.org
			if i == 1 {
				org = f.other
			}
			rec := webhook.DispatchRecord{OrganizationID: org, DispatchID: d.ID}
			for _, o := range d.Out {
				del := o.Delivery
				del.State, del.LastStatusCode = webhook.Succeeded, new(int)
				*del.LastStatusCode = 200 + i
				rec.Ended = append(rec.Ended, del)
			}
			recs = append(recs, rec)
		}
		require.NoError(t, repo.RecordDispatches(f.ctx, recs, 1, at))
		for i, d := range batch {
			for _, o := range d.Out {
				stored, err := repo.Delivery(f.ctx, f.org, o.Delivery.ID, false)
				require.NoError(t, err)
				if i == 0 {
					require.Equal(t, webhook.Succeeded, stored.State)
					require.Equal(t, 200, *stored.LastStatusCode)
					require.Equal(t, 1, stored.Attempts)
				} else {
					require.Equal(t, webhook.Pending, stored.State, "another organization's record changes nothing")
				}
			}
		}
		taken, err = repo.TakeDueDispatches(f.ctx, due, 10)
		require.NoError(t, err)
		require.Len(t, taken, 1, "the recorded dispatch's row is gone; the one recorded as another organization's is not")
		require.Equal(t, batch[1].ID, taken[0].ID)

		// An emission no webhook takes records no dispatch.
		none := record(f.other, []webhook.Event{{ID: uuid.NewString(), OrganizationID: f.other, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{}`)}}, false)
		require.Empty(t, none)
		var rows int64
		require.NoError(t, s.DB.Raw("SELECT count(*) FROM webhook_dispatches").Scan(&rows).Error)
		require.Zero(t, rows)
	})
}
