package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// jobsOf counts the deliver_webhook jobs ever inserted for org (River's
// table keeps completed jobs for a day).
func jobsOf(t *testing.T, env *apitest.Env, org int64) int64 {
	t.Helper()
	var n int64
	require.NoError(t, env.App.Store.DB.Raw(`SELECT count(*) FROM river_job WHERE kind = 'deliver_webhook' AND args->>'organizationId' = ?`, strconv.FormatInt(org, 10)).Scan(&n).Error)
	return n
}

// dispatchesOf counts org's dispatch rows.
func dispatchesOf(t *testing.T, env *apitest.Env, org int64) int64 {
	t.Helper()
	var n int64
	require.NoError(t, env.App.Store.DB.Raw(`SELECT count(*) FROM webhook_dispatches WHERE organization_id = ?`, org).Scan(&n).Error)
	return n
}

// TestFirstAttemptsNeedNoJob: on both databases, a server that works its
// deliveries makes a change's first attempts itself once the change
// commits: the receiver gets the new customer's five events, verified, in
// the change's order, every delivery ends SUCCEEDED after one attempt, no
// delivery job is queued for them, and the change's dispatch row is gone.
func TestFirstAttemptsNeedNoJob(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, db string) {
		env := apitest.Start(t, apitest.Options{DatabaseURL: db, Jobs: true, WebhookAllowPrivate: true})
		tn := env.NewTenant(t, apitest.TenantOptions{InvestmentTypes: []string{"INTERNATIONAL_STOCKS", "BONDS"}})
		rc := newReceiver(t, tn, nil)
		id := rc.subscribe(tn, "ALL")
		rc.waitFor(1, event("WEBHOOK.CREATED"))

		res := tn.Do(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Ada", "lastName": "Phiri"})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		got := rc.waitFor(5, func(d delivery) bool { return d.Event != "WEBHOOK.CREATED" })
		var names []string
		for _, d := range got {
			require.NoError(t, d.verified)
			names = append(names, d.Event)
		}
		require.Equal(t, []string{"CUSTOMER.CREATED", "ACCOUNT.CREATED", "PORTFOLIO.CREATED", "ACCOUNT.CREATED", "PORTFOLIO.CREATED"}, names, "the change's order")

		require.Eventually(t, func() bool { return dispatchesOf(t, env, tn.Org.ID) == 0 }, 10*time.Second, 10*time.Millisecond, "the dispatch rows are deleted once the attempts are recorded")
		res = tn.Do(t, http.MethodGet, path("/v1/webhooks/%d/deliveries?state=SUCCEEDED&limit=50", id), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		deliveries := items(t, res)
		require.Len(t, deliveries, 6)
		for _, d := range deliveries {
			require.EqualValues(t, 1, d["attempts"], "%v", d)
		}
		require.Zero(t, jobsOf(t, env, tn.Org.ID), "no delivery job for a first attempt")
	})
}

// TestSweptDispatchIsDelivered: a dispatch whose process never attempted
// it (it died after the commit) is left alone until it is due, then the
// sweep queues it as a delivery job, once, and the receiver gets it.
func TestSweptDispatchIsDelivered(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	rc := newReceiver(t, tn, nil)
	rc.subscribe(tn, "CUSTOMER")
	rc.waitFor(1, event("WEBHOOK.CREATED"))

	require.Eventually(t, func() bool { return dispatchesOf(t, env, tn.Org.ID) == 0 }, 10*time.Second, 10*time.Millisecond, "WEBHOOK.CREATED's dispatch recorded")

	// What a process that died after its commit leaves: the event, its
	// delivery and its dispatch, and nothing handed to a worker.
	at := time.Now().UTC().Truncate(time.Microsecond)
	e := webhook.Event{ID: uuid.NewString(), OrganizationID: tn.Org.ID, Name: "CUSTOMER.UPDATED", CreatedAt: at,
		Data: json.RawMessage(`{"customerId":7,"firstName":"Ada","lastName":"Phiri","status":"ACTIVE","createdAt":` + strconv.FormatInt(at.Unix(), 10) + `,"updatedAt":` + strconv.FormatInt(at.Unix(), 10) + `}`)}
	var ds []webhook.Dispatch
	require.NoError(t, env.App.Store.WithTx(t.Context(), func(ctx context.Context) error {
		var err error
		ds, err = env.App.Store.Webhooks().RecordDispatch(ctx, tn.Org.ID, []webhook.Event{e}, at, at.Add(webhook.DefaultDispatchGrace))
		return err
	}))
	require.Len(t, ds, 1)

	n, err := env.App.Webhooks.SweepDispatches(t.Context())
	require.NoError(t, err)
	require.Zero(t, n, "not due: its process may still be attempting it")
	require.EqualValues(t, 1, dispatchesOf(t, env, tn.Org.ID))
	require.Zero(t, jobsOf(t, env, tn.Org.ID))

	// Its grace passes (the receiver checks the signature's time against
	// its own clock, so the row ages instead of the server's clock).
	require.NoError(t, env.App.Store.DB.Exec(`UPDATE webhook_dispatches SET due_at = ? WHERE organization_id = ?`, at, tn.Org.ID).Error)
	n, err = env.App.Webhooks.SweepDispatches(t.Context())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Zero(t, dispatchesOf(t, env, tn.Org.ID))
	d := rc.waitFor(1, event("CUSTOMER.UPDATED"))[0]
	require.NoError(t, d.verified)
	require.Equal(t, e.ID, d.EventID)
	n, err = env.App.Webhooks.SweepDispatches(t.Context())
	require.NoError(t, err)
	require.Zero(t, n, "taken once")
	tn.WaitJobs(t)
	require.EqualValues(t, 1, jobsOf(t, env, tn.Org.ID), "one delivery job, queued by the sweep")
	stored, err := env.App.Store.Webhooks().Delivery(t.Context(), tn.Org.ID, ds[0].Out[0].Delivery.ID, false)
	require.NoError(t, err)
	require.Equal(t, webhook.Succeeded, stored.State)
	require.Equal(t, 1, stored.Attempts)
	require.Len(t, rc.waitFor(1, event("CUSTOMER.UPDATED")), 1, "sent once")
}

// TestFullDispatchQueueHandsOffToJobs: when the server's delivery workers
// have no room (one worker, held by a receiver that has not answered, and
// a queue of one), a change's dispatch is queued as a delivery job at once,
// not left for the sweep: every event arrives while the worker is still
// held, and no dispatch row is left.
func TestFullDispatchQueueHandsOffToJobs(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	require.NoError(t, env.App.Dispatch.Stop(t.Context()))
	small := webhook.NewDispatcher(env.App.Webhooks, webhook.DispatchConfig{Workers: 1, Queue: 1})
	small.Start(t.Context())
	t.Cleanup(func() { _ = small.Stop(context.Background()) })

	tn := env.NewTenant(t, apitest.TenantOptions{})
	release := make(chan struct{})
	var releaseOnce sync.Once
	rc := newReceiver(t, tn, func(n int) int {
		if n == 2 { // the first customer's: holds the one worker
			<-release
		}
		return http.StatusOK
	})
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) }) // before the receiver closes
	rc.subscribe(tn, "CUSTOMER.CREATED")
	rc.waitFor(1, event("WEBHOOK.CREATED"))

	const n = 4
	for i := range n {
		createCustomer(t, tn, customerOpts{ReferenceID: "full-" + strconv.Itoa(i)})
	}
	// The first holds the worker, the second waits in the queue, the
	// others are jobs: they arrive while the worker is held.
	rc.waitFor(n-1, event("CUSTOMER.CREATED"))
	require.GreaterOrEqual(t, jobsOf(t, env, tn.Org.ID), int64(n-2), "the dispatches with no room were queued as jobs")
	releaseOnce.Do(func() { close(release) })
	rc.waitFor(n, event("CUSTOMER.CREATED"))
	tn.WaitJobs(t)
	require.Zero(t, dispatchesOf(t, env, tn.Org.ID))
	require.Len(t, rc.waitFor(n, event("CUSTOMER.CREATED")), n, "each event once")
}

// TestQueuedDispatchRereadsItsWebhook: a dispatch that waited for a worker
// (longer than DispatchConfig.Fresh) reads its deliveries and webhook
// again before sending, as a job does: a webhook deleted meanwhile gets
// nothing, and its dispatch row goes.
func TestQueuedDispatchRereadsItsWebhook(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	require.NoError(t, env.App.Dispatch.Stop(t.Context()))
	one := webhook.NewDispatcher(env.App.Webhooks, webhook.DispatchConfig{Workers: 1, Fresh: time.Nanosecond})
	one.Start(t.Context())
	t.Cleanup(func() { _ = one.Stop(context.Background()) })

	tn := env.NewTenant(t, apitest.TenantOptions{})
	release, held := make(chan struct{}), make(chan struct{})
	var releaseOnce, heldOnce sync.Once
	first := newReceiver(t, tn, func(n int) int {
		if n == 3 { // after both webhooks' WEBHOOK.CREATED, the customer's event: holds the one worker
			heldOnce.Do(func() { close(held) })
			<-release
		}
		return http.StatusOK
	})
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) }) // before the receiver closes
	first.subscribe(tn, "CUSTOMER.CREATED")
	first.waitFor(1, event("WEBHOOK.CREATED"))
	second := newReceiver(t, tn, nil)
	gone := second.subscribe(tn, "CUSTOMER.CREATED")
	second.waitFor(1, event("WEBHOOK.CREATED"))
	first.waitFor(2, event("WEBHOOK.CREATED")) // the second webhook's too

	createCustomer(t, tn, customerOpts{ReferenceID: "reread"}) // one dispatch per webhook, the first webhook's first
	<-held
	require.Equal(t, http.StatusNoContent, tn.Do(t, http.MethodDelete, path("/v1/webhooks/%d", gone), nil).Status)
	releaseOnce.Do(func() { close(release) })
	first.waitFor(1, event("CUSTOMER.CREATED"))
	tn.WaitJobs(t) // the second dispatch was taken and ended: nothing more will arrive
	require.Len(t, second.deliveries(), 1, "the deleted webhook got only its WEBHOOK.CREATED: %v", second.deliveries())
	require.Zero(t, dispatchesOf(t, env, tn.Org.ID))
}

// TestWebhookOfAnotherReplica: an organization whose webhook this server
// did not make (another replica did, or it predates this process) has its
// first emission recorded without dispatches: its delivery is a job, and
// arrives; its next emissions are dispatched by the server after their
// commits (no job more).
func TestWebhookOfAnotherReplica(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	rc := newReceiver(t, tn, nil)
	now := time.Now().UTC().Truncate(time.Microsecond)
	key, err := webhook.NewWebhookKey(now)
	require.NoError(t, err)
	w := webhook.Webhook{OrganizationID: tn.Org.ID, URL: rc.url(), Subscriptions: []string{"CUSTOMER.CREATED"}, Status: webhook.Active, Key: &key, CreatedAt: now, UpdatedAt: now}
	require.NoError(t, env.App.Store.Webhooks().CreateWebhook(t.Context(), &w)) // as another replica would
	rc.trust(tn, w.ID)

	createCustomer(t, tn, customerOpts{ReferenceID: "other-1"})
	require.NoError(t, rc.waitFor(1, event("CUSTOMER.CREATED"))[0].verified)
	require.EqualValues(t, 1, jobsOf(t, env, tn.Org.ID), "the first delivery is a job")
	createCustomer(t, tn, customerOpts{ReferenceID: "other-2"})
	rc.waitFor(2, event("CUSTOMER.CREATED"))
	tn.WaitJobs(t)
	require.EqualValues(t, 1, jobsOf(t, env, tn.Org.ID), "the next one is dispatched after its commit")
	require.Zero(t, dispatchesOf(t, env, tn.Org.ID))
}
