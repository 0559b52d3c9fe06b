package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/demo"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// rowCounts counts the rows of org in every table with an organization_id
// column, and on PostgreSQL the maintained list totals of each list.
func rowCounts(t *testing.T, env *apitest.Env, org int64) map[string]int64 {
	t.Helper()
	st := env.App.Store
	tables, err := st.OrganizationTables(t.Context())
	require.NoError(t, err)
	out := map[string]int64{}
	for _, tb := range tables {
		var n int64
		require.NoError(t, st.DB.Raw("SELECT count(*) FROM "+tb+" WHERE organization_id = ?", org).Scan(&n).Error)
		out[tb] = n
	}
	if st.Dialect == store.Postgres {
		var totals []struct {
			List string
			N    int64
		}
		// each list's whole total: its '' key, or the sum of the finest keys that partition it
		// (customers: status, 00028; requests: status and type, 00026)
		require.NoError(t, st.DB.Raw(`SELECT list, sum(n) AS n FROM list_counts WHERE organization_id = ?
 AND (key = '' OR list = 'customers' OR (list = 'requests' AND left(key, 7) = 'status=')) GROUP BY list`, org).Scan(&totals).Error)
		for _, x := range totals {
			out["total:"+x.List] = x.N
		}
	}
	return out
}

// fillEverything gives tn data on every surface: the demo data (investing
// customers with executed trades, a wallet counterparty with customers,
// onboarded banking customers), a webhook and its events, the surface
// journey's wallet and banking changes, a sandbox price and clock, a fault
// rule, and the idempotency keys of all these calls.
func fillEverything(t *testing.T, env *apitest.Env, tn *apitest.Tenant) demo.Summary {
	t.Helper()
	a := env.App
	sum, err := demo.Fill(t.Context(), demo.Services{Investing: a.Investing, Trading: a.Trading, Wallet: a.Wallet, Banking: a.Banking}, tn.Org)
	require.NoError(t, err)
	createWebhook(t, tn, "https://hooks.example.com/openvest", "ALL")
	surfaceJourney(t, tn)
	res := tn.Do(t, http.MethodPut, "/v1/sandbox/instruments/AAPL/price", json.RawMessage(`{"price": 231.5}`))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = tn.Do(t, http.MethodPost, "/v1/sandbox/clock/advance", map[string]any{"days": 3})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = tn.Do(t, http.MethodPost, "/v1/sandbox/faults", map[string]any{"operationId": "getCustomer", "action": "latency", "latencyMs": 1})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	// A dispatch whose first attempts are under way: a server that works
	// its deliveries writes one per change and deletes it within the
	// attempt (this one works none).
	now := a.Now().UTC()
	require.NoError(t, a.Store.WithTx(t.Context(), func(ctx context.Context) error {
		e := webhook.Event{ID: uuid.NewString(), OrganizationID: tn.Org.ID, Name: webhook.TestEvent, CreatedAt: now, Data: json.RawMessage(`{}`)}
		_, err := a.Store.Webhooks().RecordDispatch(ctx, tn.Org.ID, []webhook.Event{e}, now, now.Add(time.Hour))
		return err
	}))
	return sum
}

// TestResetEmptiesOneOrganization: on both databases, with two sandbox
// organizations holding data on every surface, a reset empties the one
// (every table the reset covers, the list totals, the sandbox clock) and
// leaves the other's rows and totals as they were; the reset
// organization keeps its token, signing key and credentials, and can
// have its demo data back.
func TestResetEmptiesOneOrganization(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, db string) {
		// The inspector records asynchronously: off here, so that no record
		// lands between two counts (TestResetDeletesInspectedRequests).
		env := apitest.Start(t, apitest.Options{DatabaseURL: db, WebhookAllowPrivate: true, InspectorOff: true})
		tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
		other := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
		sum := fillEverything(t, env, tn)
		fillEverything(t, env, other)
		before := rowCounts(t, env, tn.Org.ID)
		otherBefore := rowCounts(t, env, other.Org.ID)
		for _, tb := range store.ResetTables {
			if store.PostgresOnlyTables[tb] && env.App.Store.Dialect != store.Postgres {
				continue
			}
			if tb != "idempotency_keys" && tb != "ussd_sessions" && tb != "reports" && tb != "inspected_requests" {
				require.NotZero(t, before[tb], "the fill leaves rows in %s to delete", tb)
			}
		}

		res := tn.Do(t, http.MethodPost, "/v1/sandbox/reset", map[string]any{})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var out struct {
			Data struct {
				Deleted      map[string]int64 `json:"deleted"`
				ReseededDemo bool             `json:"reseededDemo"`
			} `json:"data"`
		}
		res.JSON(t, &out)
		require.False(t, out.Data.ReseededDemo)
		require.Equal(t, before["customers"], out.Data.Deleted["customers"])
		require.Equal(t, before["wallet_customers"], out.Data.Deleted["wallet_customers"])
		require.Equal(t, before["banking_applications"], out.Data.Deleted["banking_applications"])

		after := rowCounts(t, env, tn.Org.ID)
		for tb, n := range after {
			if slicesContains(store.KeepTables, tb) {
				require.Equal(t, before[tb], n, "a reset keeps %s", tb)
				continue
			}
			if tb == "idempotency_keys" {
				require.Equal(t, int64(1), n, "only the reset's own key is left")
				continue
			}
			require.Zero(t, n, "%s of the reset organization", tb)
		}
		require.Equal(t, otherBefore, rowCounts(t, env, other.Org.ID), "another organization is untouched")
		// A job queued before the reset finds its request gone, and ends
		// quietly instead of failing until River gives up.
		require.NoError(t, env.App.Trading.ExecuteRequest(t.Context(), tn.Org.ID, sum.Requests[0], time.Time{}))

		// The API agrees: empty lists with zero totals, the real clock, the
		// same token and key (tn.Do signs with them).
		res = tn.Do(t, http.MethodGet, "/v1/customers", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), `"totalCount":0`)
		require.Empty(t, items(t, tn.Do(t, http.MethodGet, "/v1/webhooks", nil)))
		res = tn.Do(t, http.MethodGet, "/v1/sandbox/clock", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), `"offsetSeconds":0`)
		res = tn.Do(t, http.MethodGet, "/counterparty", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), `"total":0`)
		res = tn.Do(t, http.MethodGet, "/customers", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Empty(t, res.Map(t)["data"])
		res = other.Do(t, http.MethodGet, "/v1/customers", nil)
		require.Len(t, items(t, res), int(otherBefore["customers"]))

		res = tn.Do(t, http.MethodPost, "/v1/sandbox/reset", map[string]any{"reseedDemo": true})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		reseeded := rowCounts(t, env, tn.Org.ID)
		require.Equal(t, int64(3), reseeded["customers"], "the demo's three investing customers are back")
		require.NotZero(t, reseeded["wallet_customers"])
		require.NotZero(t, reseeded["banking_customers"])
		require.NotZero(t, reseeded["transactions"])
		if env.App.Store.Dialect == store.Postgres {
			for _, list := range []string{"customers", "accounts", "requests", "transactions", "assets"} {
				require.Equal(t, reseeded[list], reseeded["total:"+list], "the maintained total of %s counts the reseeded rows", list)
			}
			// portfolios are listed one customer's at a time (migration 00022 keeps no organization-wide total)
			var ids []int64
			require.NoError(t, env.App.Store.DB.Raw("SELECT id FROM customers WHERE organization_id = ?", tn.Org.ID).Scan(&ids).Error)
			var portfolios int64
			for _, id := range ids {
				page, err := env.App.Store.Investing().ListPortfolios(t.Context(), tn.Org.ID, id, investing.PageRequest{Limit: 1})
				require.NoError(t, err)
				portfolios += page.Total
			}
			require.Equal(t, reseeded["portfolios"], portfolios, "the maintained totals of the customers' portfolios count the reseeded rows")
		}
		require.Equal(t, otherBefore, rowCounts(t, env, other.Org.ID), "another organization is untouched")
	})
}

// TestResetDeletesInspectedRequests: the request inspector's records of
// the organization go with a reset (those of the reset itself and later
// requests are recorded as usual); another organization's stay.
func TestResetDeletesInspectedRequests(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	other := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	createCustomer(t, tn, customerOpts{})
	createCustomer(t, other, customerOpts{})
	for _, x := range []*apitest.Tenant{tn, other} {
		require.Len(t, inspected(t, x, "operationId=createCustomer", 1), 1)
	}
	res := tn.Do(t, http.MethodPost, "/v1/sandbox/reset", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.EqualValues(t, 0, rowCountsWhere(t, env, "inspected_requests", tn.Org.ID, "operation_id = 'createCustomer'"))
	require.Len(t, inspected(t, tn, "operationId=resetSandbox", 1), 1, "the reset itself is recorded")
	require.Empty(t, inspected(t, tn, "operationId=createCustomer", 0), "the records before the reset are gone")
	require.Len(t, inspected(t, other, "operationId=createCustomer", 1), 1, "another organization's stay")
}

func rowCountsWhere(t *testing.T, env *apitest.Env, table string, org int64, cond string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, env.App.Store.DB.Raw("SELECT count(*) FROM "+table+" WHERE organization_id = ? AND "+cond, org).Scan(&n).Error)
	return n
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestSandboxControlsAreForSandboxOrganizations: a production
// organization gets 404 from every control; one sandbox organization's
// fault id finds nothing for another, whose requests its rules never
// touch.
func TestSandboxControlsAreForSandboxOrganizations(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	prod := env.NewTenant(t, apitest.TenantOptions{})
	for _, c := range []struct{ method, path string }{
		{http.MethodPost, "/v1/sandbox/reset"}, {http.MethodGet, "/v1/sandbox/faults"}, {http.MethodPost, "/v1/sandbox/faults"}, {http.MethodDelete, "/v1/sandbox/faults/1"},
	} {
		var body any
		if c.method == http.MethodPost {
			body = map[string]any{"operationId": "createCustomer", "action": "status", "status": 503}
			if strings.HasSuffix(c.path, "reset") {
				body = map[string]any{}
			}
		}
		res := prod.Do(t, c.method, c.path, body)
		require.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", c.method, c.path, res.Body)
	}

	a := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	b := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	id := createFault(t, a, map[string]any{"operationId": "createCustomer", "action": "status", "status": 503})
	res := b.Do(t, http.MethodDelete, path("/v1/sandbox/faults/%d", id), nil)
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	require.Empty(t, items(t, b.Do(t, http.MethodGet, "/v1/sandbox/faults", nil)))
	createCustomer(t, b, customerOpts{}) // 201: a's rule is a's
	res = a.Do(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Jane", "lastName": "Banda"})
	require.Equal(t, http.StatusServiceUnavailable, res.Status, "%s", res.Body)
	require.Len(t, items(t, a.Do(t, http.MethodGet, "/v1/sandbox/faults", nil)), 1)
	res = a.Do(t, http.MethodDelete, path("/v1/sandbox/faults/%d", id), nil)
	require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
	createCustomer(t, a, customerOpts{})
}

func createFault(t *testing.T, tn *apitest.Tenant, body map[string]any) int64 {
	t.Helper()
	res := tn.Do(t, http.MethodPost, "/v1/sandbox/faults", body)
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var out struct {
		Data struct {
			FaultID int64 `json:"faultId"`
		} `json:"data"`
	}
	res.JSON(t, &out)
	require.NotZero(t, out.Data.FaultID)
	return out.Data.FaultID
}

// TestFaultStatusWritesNothing: a rule makes the next matching POST
// answer 503 in the investing error shape; nothing is written, not even
// the idempotency key (the same key then runs for real); the rule is then
// used up and gone.
func TestFaultStatusWritesNothing(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	id := createFault(t, tn, map[string]any{"operationId": "createCustomer", "action": "status", "status": 503, "times": 1})
	before := rowCounts(t, env, tn.Org.ID)
	call := apitest.Call{Header: http.Header{"X-Idempotency-Key": {"0193a1f2-7c1e-7a5b-9c1d-2e3f4a5b6c70"}}}
	res := tn.DoWith(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Jane", "lastName": "Banda"}, call)
	require.Equal(t, http.StatusServiceUnavailable, res.Status, "%s", res.Body)
	require.Equal(t, "1", res.Header.Get("Retry-After"))
	require.Equal(t, path("%d", id), res.Header.Get("Openvest-Fault-Rule"))
	body := res.Map(t)
	require.EqualValues(t, 503, body["code"])
	require.Contains(t, body["message"], path("fault rule %d", id))
	after := rowCounts(t, env, tn.Org.ID)
	delete(before, "inspected_requests") // the inspector's own record of the request, written asynchronously
	delete(after, "inspected_requests")
	require.Equal(t, before, after, "an injected failure writes nothing")
	rec := inspected(t, tn, "status=503", 1)
	require.NotNil(t, rec[0].FaultInjected)
	require.Equal(t, path("fault rule %d: status 503", id), *rec[0].FaultInjected, "the inspector shows the fault")

	res = tn.DoWith(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Jane", "lastName": "Banda"}, call)
	require.Equal(t, http.StatusCreated, res.Status, "the same key runs for real: %s", res.Body)
	require.Empty(t, res.Header.Get("Openvest-Fault-Rule"))
	require.Empty(t, items(t, tn.Do(t, http.MethodGet, "/v1/sandbox/faults", nil)), "a used-up rule is gone")
}

// TestFaultErrorShapes: an injected status is in the error shape of the
// surface of the matched path (the validating transport checks each).
func TestFaultErrorShapes(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	createFault(t, tn, map[string]any{"method": "GET", "path": "/counterparty", "action": "status", "status": 500, "message": "wallet down"})
	createFault(t, tn, map[string]any{"operationId": "listBankingCustomers", "action": "status", "status": 429})
	res := tn.Do(t, http.MethodGet, "/counterparty", nil)
	require.Equal(t, http.StatusInternalServerError, res.Status, "%s", res.Body)
	w := res.Map(t)
	require.Equal(t, "wallet down", w["message"])
	require.EqualValues(t, 500, w["statusCode"])
	require.Equal(t, "INTERNAL_ERROR", w["error"])
	res = tn.Do(t, http.MethodGet, "/customers", nil)
	require.Equal(t, http.StatusTooManyRequests, res.Status, "%s", res.Body)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	require.EqualValues(t, 429, res.Map(t)["status"])
}

// TestFaultCountAcrossConcurrentRequests: a rule for 3 applications, hit
// by 12 concurrent requests, fails exactly 3 of them; the other 9 write.
func TestFaultCountAcrossConcurrentRequests(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	createFault(t, tn, map[string]any{"operationId": "createCustomer", "action": "status", "status": 503, "times": 3})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
	)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := tn.Do(t, http.MethodPost, "/v1/customers", map[string]any{"firstName": "Jane", "lastName": "Banda"})
			mu.Lock()
			statuses[res.Status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, map[int]int{http.StatusServiceUnavailable: 3, http.StatusCreated: 9}, statuses)
	require.Equal(t, int64(9), rowCounts(t, env, tn.Org.ID)["customers"])
}

// TestFaultRuleValidation: a rule that names no operation of the API, a
// status the operation does not document, a control, or mixes the targets
// is refused with 400 naming the field.
func TestFaultRuleValidation(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	for _, c := range []struct {
		field string
		body  map[string]any
	}{
		{"operationId", map[string]any{"operationId": "noSuchOperation", "action": "close"}},
		{"path", map[string]any{"method": "GET", "path": "/v1/customers/123", "action": "close"}},
		{"method", map[string]any{"path": "/v1/customers", "action": "close"}},
		{"operationId", map[string]any{"action": "close"}},
		{"operationId", map[string]any{"operationId": "createCustomer", "method": "POST", "path": "/v1/customers", "action": "close"}},
		{"status", map[string]any{"operationId": "getSandboxClock", "action": "status", "status": 418}},
		{"status", map[string]any{"operationId": "createCustomer", "action": "status"}},
		{"operationId", map[string]any{"operationId": "deleteSandboxFault", "action": "close"}},
		{"action", map[string]any{"operationId": "createCustomer", "action": "duplicate"}},
		{"action", map[string]any{"target": "webhook", "action": "latency", "latencyMs": 5}},
		{"latencyMs", map[string]any{"operationId": "createCustomer", "action": "latency"}},
		{"ttlSeconds", map[string]any{"operationId": "createCustomer", "action": "close", "ttlSeconds": 60, "expiresAt": time.Now().Add(time.Hour).Unix()}},
		{"expiresAt", map[string]any{"operationId": "createCustomer", "action": "close", "expiresAt": time.Now().Add(-time.Hour).Unix()}},
		{"probability", map[string]any{"operationId": "createCustomer", "action": "close", "probability": 1.5}},
		{"event", map[string]any{"target": "webhook", "event": "CUSTOMER.CREATD", "action": "duplicate"}},
		{"webhookId", map[string]any{"target": "webhook", "webhookId": 987654321, "action": "duplicate"}},
	} {
		res := tn.Do(t, http.MethodPost, "/v1/sandbox/faults", c.body)
		require.Equal(t, http.StatusBadRequest, res.Status, "%v: %s", c.body, res.Body)
		require.Contains(t, string(res.Body), `"field":"`+c.field+`"`, "%v", c.body)
	}
	require.Empty(t, items(t, tn.Do(t, http.MethodGet, "/v1/sandbox/faults", nil)))
}

// TestFaultLatencyCloseTimeout: latency delays the answer; close ends the
// connection unanswered; timeout holds it until its cap, then closes it,
// or until the client gives up.
func TestFaultLatencyCloseTimeout(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	customer := createCustomer(t, tn, customerOpts{})
	createFault(t, tn, map[string]any{"operationId": "getCustomer", "action": "latency", "latencyMs": 300, "times": 1})
	start := time.Now()
	res := tn.Do(t, http.MethodGet, path("/v1/customers/%d", customer), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond)

	raw := func(timeout time.Duration) error {
		// A connection of its own: Go's transport sends a request again
		// on a new connection when a reused one closes unanswered.
		client := &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
		req, err := http.NewRequest(http.MethodGet, env.Server.URL+"/v1/sandbox/clock", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tn.Token)
		req.Header.Set("X-Client-Id", tn.Org.ClientID)
		res, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
		}
		return err
	}
	createFault(t, tn, map[string]any{"operationId": "getSandboxClock", "action": "close", "times": 1})
	err := raw(10 * time.Second)
	require.Error(t, err, "the connection is closed without an answer")
	require.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"), "%v", err)

	createFault(t, tn, map[string]any{"operationId": "getSandboxClock", "action": "timeout", "latencyMs": 400, "times": 1})
	start = time.Now()
	require.Error(t, raw(10*time.Second))
	require.GreaterOrEqual(t, time.Since(start), 400*time.Millisecond, "held until the cap")

	createFault(t, tn, map[string]any{"operationId": "getSandboxClock", "action": "timeout", "times": 1})
	start = time.Now()
	err = raw(200 * time.Millisecond)
	require.Error(t, err)
	require.Less(t, time.Since(start), 10*time.Second, "the client gave up long before the 30 s cap")
	var ne interface{ Timeout() bool }
	require.True(t, errors.As(err, &ne) && ne.Timeout(), "%v", err)

	// Every rule is used up: the clock answers again.
	require.Equal(t, http.StatusOK, tn.Do(t, http.MethodGet, "/v1/sandbox/clock", nil).Status)
}

// webhookFaultEnv is a sandbox tenant with a working job queue and a
// receiver subscribed to every event.
func webhookFaultEnv(t *testing.T) (*apitest.Tenant, *receiver, int64) {
	t.Helper()
	env := apitest.Start(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	rc := newReceiver(t, tn, nil)
	return tn, rc, rc.subscribe(tn, "ALL")
}

// TestWebhookFaultDuplicate: a duplicate rule delivers the next
// CUSTOMER.CREATED twice, both signed, with the same eventId.
func TestWebhookFaultDuplicate(t *testing.T) {
	t.Parallel()
	tn, rc, hook := webhookFaultEnv(t)
	createFault(t, tn, map[string]any{"target": "webhook", "event": "CUSTOMER.CREATED", "webhookId": hook, "action": "duplicate", "times": 1})
	createCustomer(t, tn, customerOpts{})
	got := rc.waitFor(2, event("CUSTOMER.CREATED"))
	require.Len(t, got, 2)
	require.Equal(t, got[0].EventID, got[1].EventID, "the same event twice")
	for _, d := range got {
		require.NoError(t, d.verified)
	}
	require.Empty(t, items(t, tn.Do(t, http.MethodGet, "/v1/sandbox/faults", nil)), "the rule is used up")
}

// TestWebhookFaultOutOfOrder: an outOfOrder rule holds the next
// CUSTOMER.CREATED, so that an event emitted after it arrives first; a
// delay rule sends a delivery no sooner than its latency.
func TestWebhookFaultOutOfOrder(t *testing.T) {
	t.Parallel()
	tn, rc, _ := webhookFaultEnv(t)
	createFault(t, tn, map[string]any{"target": "webhook", "event": "CUSTOMER.CREATED", "action": "outOfOrder", "latencyMs": 3000, "times": 1})
	held := time.Now()
	customer := createCustomer(t, tn, customerOpts{})
	res := tn.Do(t, http.MethodPost, "/v1/sandbox/events", map[string]any{"event": "CUSTOMER.UPDATED", "resourceId": path("%d", customer)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	both := rc.waitFor(2, func(d delivery) bool { return d.Event == "CUSTOMER.CREATED" || d.Event == "CUSTOMER.UPDATED" })
	require.GreaterOrEqual(t, time.Since(held), 3*time.Second, "CUSTOMER.CREATED was held")
	require.Equal(t, []string{"CUSTOMER.UPDATED", "CUSTOMER.CREATED"}, eventsOf(both), "the held event arrives after the later one")
	for _, d := range both {
		require.NoError(t, d.verified)
	}

	createFault(t, tn, map[string]any{"target": "webhook", "event": "CUSTOMER.UPDATED", "action": "delay", "latencyMs": 500, "times": 1})
	start := time.Now()
	res = tn.Do(t, http.MethodPost, "/v1/sandbox/events", map[string]any{"event": "CUSTOMER.UPDATED", "resourceId": path("%d", customer)})
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	rc.waitFor(2, event("CUSTOMER.UPDATED"))
	require.GreaterOrEqual(t, time.Since(start), 500*time.Millisecond, "delivered no sooner than the delay")
}
