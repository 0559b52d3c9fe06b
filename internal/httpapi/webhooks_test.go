package httpapi_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/openvest/openvest/internal/webhooktest"
	"github.com/stretchr/testify/require"
)

// delivery is what a receiver got.
type delivery struct {
	EventID   string          `json:"eventId"`
	Event     string          `json:"event"`
	CreatedAt int64           `json:"createdAt"`
	Data      json.RawMessage `json:"data"`
	verified  error           // nil when every check of verify passed
	checked   bool            // verify ran (with the webhook's key)
	header    http.Header
	body      []byte
	method    string
	path      string
}

// receiver is a webhook endpoint that verifies every delivery with its
// webhook's key from GET /v1/webhooks/key, the way the README tells
// receivers to. A delivery is verified when it is read (deliveries,
// waitFor), so that one that arrives before the key is fetched (the
// WEBHOOK.CREATED of the webhook itself) is verified too.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	got    []delivery
	status func(n int) int // the answer to the n-th delivery (1-based)
	keys   map[string]ed25519.PublicKey
	docKey ed25519.PublicKey // the webhook's key, read from the OpenSSH form the docs show
}

func newReceiver(t *testing.T, _ *apitest.Tenant, status func(n int) int) *receiver {
	r := &receiver{t: t, status: status, keys: map[string]ed25519.PublicKey{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

// subscribe creates a webhook to the receiver and fetches its key.
func (r *receiver) subscribe(tn *apitest.Tenant, subs ...string) int64 {
	r.t.Helper()
	id := createWebhook(r.t, tn, r.url(), subs...)
	r.trust(tn, id)
	return id
}

// trust fetches the key of webhook id (GET /v1/webhooks/key?webhookId=).
func (r *receiver) trust(tn *apitest.Tenant, id int64) {
	r.t.Helper()
	res := tn.Do(r.t, "GET", path("/v1/webhooks/key?webhookId=%d", id), nil)
	require.Equal(r.t, http.StatusOK, res.Status, "%s", res.Body)
	var key struct {
		Data struct {
			WebhookID int64  `json:"webhookId"`
			Key       string `json:"key"`
			Keys      []struct {
				KeyID string `json:"keyId"`
				PEM   string `json:"publicKeyPem"`
			} `json:"keys"`
		} `json:"data"`
	}
	res.JSON(r.t, &key)
	require.Equal(r.t, id, key.Data.WebhookID)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range key.Data.Keys {
		pub, err := httpsig.ParsePublicKey([]byte(k.PEM))
		require.NoError(r.t, err)
		r.keys[k.KeyID] = pub
	}
	r.docKey = docsKey(r.t, key.Data.Key)
}

// docsKey reads the "ssh-ed25519 AAAA… comment" form of GET /v1/webhooks/key.
func docsKey(t *testing.T, authorized string) ed25519.PublicKey {
	t.Helper()
	pub, _, err := webhooktest.ParseDocsKey(authorized)
	require.NoError(t, err)
	return pub
}

func (r *receiver) url() string { return r.srv.URL + "/hooks" }

// answer sets how the receiver answers from now on.
func (r *receiver) answer(status func(n int) int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = status
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	d := delivery{header: req.Header.Clone(), body: body, method: req.Method, path: req.URL.RequestURI()}
	if err := json.Unmarshal(body, &d); err != nil {
		d.verified = err
	}
	r.mu.Lock()
	trusted := r.docKey != nil
	r.mu.Unlock()
	if trusted { // verify outside the lock: deliveries arrive concurrently
		d.verified, d.checked = r.verify(d), true
	}
	r.mu.Lock()
	r.got = append(r.got, d)
	n := len(r.got)
	answer := r.status
	r.mu.Unlock()
	status := http.StatusOK
	if answer != nil {
		status = answer(n)
	}
	w.WriteHeader(status)
}

// verify checks a delivery as two receivers do, with the webhook's key
// (set once, by trust, before verify runs): one written to the investing
// docs (sig1, the OpenSSH key) and one using an RFC 9421 library (sig2,
// the keys by keyid); the Standard Webhooks signature; and the payload
// against its schema in the spec (WebhookEvent).
func (r *receiver) verify(d delivery) error {
	if d.verified != nil {
		return d.verified
	}
	req, err := http.NewRequest(d.method, r.srv.URL+d.path, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header = d.header
	req.ContentLength = int64(len(d.body))
	if err := webhooktest.VerifyDocs(req, d.body, r.docKey, r.srv.URL); err != nil {
		return fmt.Errorf("the docs' receiver: %w", err)
	}
	keys := func(id string) (ed25519.PublicKey, error) {
		if k, ok := r.keys[id]; ok {
			return k, nil
		}
		return nil, errors.New("unknown key " + id)
	}
	if err := webhooktest.VerifyRFC9421(req, d.body, keys, r.url(), time.Minute); err != nil {
		return fmt.Errorf("the RFC 9421 receiver: %w", err)
	}
	id := req.Header.Get("webhook-id")
	sig, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(req.Header.Get("webhook-signature"), "v1a,"))
	if err != nil || !ed25519.Verify(r.docKey, []byte(id+"."+req.Header.Get("webhook-timestamp")+"."+string(d.body)), sig) {
		return errors.New("webhook-signature does not verify")
	}
	// Every delivered payload matches its event's schema in the spec.
	return validateEvent(d.body)
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.got {
		if !r.got[i].checked && r.docKey != nil {
			r.got[i].verified, r.got[i].checked = r.verify(r.got[i]), true
		}
	}
	out := append([]delivery(nil), r.got...)
	for i := range out {
		if !out[i].checked && out[i].verified == nil {
			out[i].verified = errors.New("not verified: the receiver has no key yet (call subscribe or trust)")
		}
	}
	return out
}

// deliveryDeadline bounds a wait for n deliveries: 15 s, plus 50 ms a
// delivery, so that a thousand of them on a loaded 2-core machine (the whole
// suite runs in parallel) are not cut short. It is an upper bound, not a
// speed target: `make bench-queue` measures throughput.
func deliveryDeadline(n int) time.Duration {
	return 15*time.Second + time.Duration(n)*50*time.Millisecond
}

// waitFor waits until the receiver got n deliveries matching keep.
func (r *receiver) waitFor(n int, keep func(delivery) bool) []delivery {
	r.t.Helper()
	var out []delivery
	require.Eventually(r.t, func() bool {
		out = out[:0]
		for _, d := range r.deliveries() {
			if keep(d) {
				out = append(out, d)
			}
		}
		return len(out) >= n
	}, deliveryDeadline(n), 10*time.Millisecond, "waiting for %d deliveries", n)
	return out
}

func event(name string) func(delivery) bool { return func(d delivery) bool { return d.Event == name } }

func webhookEnv(t *testing.T) (*apitest.Env, *apitest.Tenant) {
	t.Helper()
	env := apitest.Start(t, apitest.Options{
		Jobs: true, WebhookAllowPrivate: true,
		WebhookSchedule: webhook.Schedule{50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond},
	})
	return env, env.NewTenant(t, apitest.TenantOptions{})
}

func createWebhook(t *testing.T, tn *apitest.Tenant, url string, subs ...string) int64 {
	t.Helper()
	res := tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": url, "subscriptions": subs})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var out struct {
		Data struct {
			WebhookID     int64    `json:"webhookId"`
			Subscriptions []string `json:"subscriptions"`
		} `json:"data"`
	}
	res.JSON(t, &out)
	require.True(t, webhook.Matches(out.Data.Subscriptions, "WEBHOOK.CREATED"), "a new webhook is subscribed to WEBHOOK.CREATED: %v", out.Data.Subscriptions)
	return out.Data.WebhookID
}

// TestDeliveriesAreSignedAndVerifiable: a receiver subscribed to CUSTOMER
// gets WEBHOOK.CREATED and then CUSTOMER.CREATED, verifiable with the key
// from GET /v1/webhooks/key, and nothing it did not subscribe to.
func TestDeliveriesAreSignedAndVerifiable(t *testing.T) {
	t.Parallel()
	_, tn := webhookEnv(t)
	rc := newReceiver(t, tn, nil)
	id := rc.subscribe(tn, "CUSTOMER")
	created := rc.waitFor(1, event("WEBHOOK.CREATED"))[0]
	require.NoError(t, created.verified)
	var hook map[string]any
	require.NoError(t, json.Unmarshal(created.Data, &hook))
	require.Equal(t, float64(id), hook["webhookId"], "WEBHOOK.CREATED carries the webhook as the API returns it")
	require.Equal(t, "ACTIVE", hook["status"])

	start := time.Now()
	customerID := createCustomer(t, tn, customerOpts{ReferenceID: "hook-1"})
	d := rc.waitFor(1, event("CUSTOMER.CREATED"))[0]
	require.Less(t, time.Since(start), time.Second, "delivered within a second of the create")
	require.NoError(t, d.verified)
	var c map[string]any
	require.NoError(t, json.Unmarshal(d.Data, &c))
	require.Equal(t, float64(customerID), c["customerId"], "data is the resource as the API returns it")
	require.Equal(t, "hook-1", c["referenceId"])
	require.NotEmpty(t, d.EventID)

	// An update is CUSTOMER.UPDATED; the cascaded ACCOUNT/PORTFOLIO events are not subscribed.
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": customerID, "status": "SUSPENDED"}).Status)
	rc.waitFor(1, event("CUSTOMER.UPDATED"))
	tn.WaitJobs(t) // every attempt made: nothing more will arrive
	for _, d := range rc.deliveries() {
		require.True(t, strings.HasPrefix(d.Event, "CUSTOMER.") || d.Event == "WEBHOOK.CREATED", "unsubscribed event %s delivered", d.Event)
	}

	// The delivery log shows each delivery.
	res := tn.Do(t, "GET", path("/v1/webhooks/%d/deliveries?state=SUCCEEDED", id), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Len(t, items(t, res), 3)

	// The test event goes to every webhook.
	require.Equal(t, http.StatusNoContent, tn.Do(t, "POST", "/v1/webhooks/test", nil).Status)
	require.NoError(t, rc.waitFor(1, event(webhook.TestEvent))[0].verified)
}

// TestFailingReceiverGetsTheEventUntilItSucceeds: three failures, then a
// success: four deliveries of the same event, same eventId.
func TestFailingReceiverGetsTheEventUntilItSucceeds(t *testing.T) {
	t.Parallel()
	_, tn := webhookEnv(t)
	failures := 0
	var mu sync.Mutex
	rc := newReceiver(t, tn, func(int) int { return http.StatusOK })
	id := rc.subscribe(tn, "CUSTOMER.CREATED")
	rc.waitFor(1, event("WEBHOOK.CREATED"))
	rc.answer(func(int) int {
		mu.Lock()
		defer mu.Unlock()
		if failures < 3 {
			failures++
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	createCustomer(t, tn, customerOpts{})
	got := rc.waitFor(4, event("CUSTOMER.CREATED"))
	require.Len(t, got, 4)
	for _, d := range got {
		require.Equal(t, got[0].EventID, d.EventID, "every attempt carries the same eventId")
		require.NoError(t, d.verified)
	}
	tn.WaitJobs(t) // no attempt is queued after the success
	require.Len(t, rc.waitFor(4, event("CUSTOMER.CREATED")), 4, "no attempt after the success")

	var log struct {
		Data []struct {
			Event          string `json:"event"`
			Attempts       int    `json:"attempts"`
			State          string `json:"state"`
			LastStatusCode int    `json:"lastStatusCode"`
		} `json:"data"`
	}
	tn.Do(t, "GET", path("/v1/webhooks/%d/deliveries", id), nil).JSON(t, &log)
	var found bool
	for _, d := range log.Data {
		if d.Event == "CUSTOMER.CREATED" {
			found = true
			require.Equal(t, 4, d.Attempts)
			require.Equal(t, "SUCCEEDED", d.State)
			require.Equal(t, 200, d.LastStatusCode)
		}
	}
	require.True(t, found)
}

// TestGoneDisablesTheWebhook: a 410 deactivates the webhook; later events
// are not delivered; a retry needs the webhook active again.
func TestGoneDisablesTheWebhook(t *testing.T) {
	t.Parallel()
	_, tn := webhookEnv(t)
	status := http.StatusGone
	var mu sync.Mutex
	rc := newReceiver(t, tn, func(int) int { mu.Lock(); defer mu.Unlock(); return status })
	id := rc.subscribe(tn, "ALL")
	rc.waitFor(1, event("WEBHOOK.CREATED"))
	require.Eventually(t, func() bool {
		var out struct{ Data []map[string]any }
		tn.Do(t, "GET", "/v1/webhooks", nil).JSON(t, &out)
		return len(out.Data) == 1 && out.Data[0]["status"] == "DEACTIVED"
	}, 5*time.Second, 20*time.Millisecond)

	createCustomer(t, tn, customerOpts{})
	tn.WaitJobs(t) // the event's deliveries, had any been queued, were attempted
	require.Len(t, rc.deliveries(), 1, "a deactivated webhook gets nothing")

	var log struct {
		Data []struct {
			DeliveryID int64  `json:"deliveryId"`
			State      string `json:"state"`
		} `json:"data"`
	}
	tn.Do(t, "GET", path("/v1/webhooks/%d/deliveries", id), nil).JSON(t, &log)
	require.Len(t, log.Data, 1)
	require.Equal(t, "FAILED", log.Data[0].State)
	res := tn.Do(t, "POST", path("/v1/webhooks/%d/deliveries/%d/retry", id, log.Data[0].DeliveryID), nil)
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)

	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/webhooks", map[string]any{"webhookId": id, "status": "ACTIVE"}).Status)
	res = tn.Do(t, "POST", path("/v1/webhooks/%d/deliveries/%d/retry", id, log.Data[0].DeliveryID), nil)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	require.Len(t, rc.waitFor(2, event("WEBHOOK.CREATED")), 2, "the retried delivery arrives again")
}

// TestRolledBackChangesEmitNothing: a refused change writes no event (a
// webhook takes them all: only events some webhook takes are recorded).
func TestRolledBackChangesEmitNothing(t *testing.T) {
	t.Parallel()
	env, tn := webhookEnv(t)
	newReceiver(t, tn, nil).subscribe(tn, "ALL")
	createCustomer(t, tn, customerOpts{ReferenceID: "dup"})
	res := tn.Do(t, "POST", "/v1/customers", map[string]any{"firstName": "A", "lastName": "B", "referenceId": "dup"})
	require.Equal(t, http.StatusConflict, res.Status)
	var n int64
	require.NoError(t, env.App.Store.DB.Table("webhook_events").Where("organization_id = ? AND name = ?", tn.Org.ID, "CUSTOMER.CREATED").Count(&n).Error)
	require.Equal(t, int64(1), n)
	require.NoError(t, env.App.Store.DB.Table("webhook_events").Where("organization_id = ? AND name = ?", tn.Org.ID, "ACCOUNT.CREATED").Count(&n).Error)
	require.Equal(t, int64(1), n, "the refused customer's account was not created, nor its event")
}

// TestThousandChangesThousandEvents: 1,000 customers created under
// concurrent load produce 1,000 delivered CUSTOMER.CREATED events, none
// lost, none twice.
func TestThousandChangesThousandEvents(t *testing.T) {
	t.Parallel()
	_, tn := webhookEnv(t)
	rc := newReceiver(t, tn, nil)
	rc.subscribe(tn, "CUSTOMER.CREATED")
	const n, workers = 1000, 16
	var wg sync.WaitGroup
	ids := make(chan struct{}, n)
	for range n {
		ids <- struct{}{}
	}
	close(ids)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ids {
				res := tn.Do(t, "POST", "/v1/customers", map[string]any{"firstName": "Load", "lastName": "Test"})
				require.Equal(t, http.StatusCreated, res.Status)
			}
		}()
	}
	wg.Wait()
	got := rc.waitFor(n, event("CUSTOMER.CREATED"))
	seen := map[string]bool{}
	customers := map[float64]bool{}
	for _, d := range got {
		require.NoError(t, d.verified)
		seen[d.EventID] = true
		var c map[string]any
		require.NoError(t, json.Unmarshal(d.Data, &c))
		customers[c["customerId"].(float64)] = true
	}
	require.Len(t, seen, n, "1,000 distinct events")
	require.Len(t, customers, n, "one per customer")
}

func TestWebhookURLRules(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{}) // private destinations not allowed
	tn := env.NewTenant(t, apitest.TenantOptions{})
	for url, want := range map[string]string{
		"http://hooks.example.com/x": "must use https",
		"https://127.0.0.1/x":        "not the IP address",
		"https://localhost/x":        "fully qualified",
	} {
		res := tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": url, "subscriptions": []string{"ALL"}})
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", url, res.Body)
		var e errorBody
		res.JSON(t, &e)
		require.Equal(t, "url", e.Errors[0].Field)
		require.Contains(t, e.Message, want)
	}
	res := tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/x", "subscriptions": []string{"CUSTOMER.DELETED"}})
	require.Equal(t, http.StatusBadRequest, res.Status)
	require.Equal(t, http.StatusCreated, tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/x", "subscriptions": []string{"ALL"}}).Status)
	// Another organization sees none of it.
	other := env.NewTenant(t, apitest.TenantOptions{})
	require.Empty(t, items(t, other.Do(t, "GET", "/v1/webhooks", nil)))
}

// TestDeletingAWebhookStopsItsDeliveries: pending deliveries go with the
// webhook, and their queued attempts end quietly.
func TestDeletingAWebhookStopsItsDeliveries(t *testing.T) {
	t.Parallel()
	env, tn := webhookEnv(t)
	rc := newReceiver(t, tn, func(int) int { return http.StatusInternalServerError })
	id := rc.subscribe(tn, "CUSTOMER")
	createCustomer(t, tn, customerOpts{})
	rc.waitFor(1, event("CUSTOMER.CREATED"))
	require.Equal(t, http.StatusNoContent, tn.Do(t, "DELETE", path("/v1/webhooks/%d", id), nil).Status)
	require.Equal(t, http.StatusNotFound, tn.Do(t, "GET", path("/v1/webhooks/%d/deliveries", id), nil).Status)
	seen := len(rc.deliveries())
	tn.WaitJobs(t) // the queued attempts ran and ended quietly
	require.LessOrEqual(t, len(rc.deliveries()), seen+1, "at most the attempt already under way")
	var n int64
	require.NoError(t, env.App.Store.DB.Table("webhook_deliveries").Where("organization_id = ?", tn.Org.ID).Count(&n).Error)
	require.Zero(t, n)
}

// TestWebhookKeyPerWebhook: each webhook has its own key pair, answered in
// the docs' shape; webhookId selects one, the default is the first; no
// webhook (or another organization's) is a 404.
func TestWebhookKeyPerWebhook(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	res := tn.Do(t, "GET", "/v1/webhooks/key", nil)
	require.Equal(t, http.StatusNotFound, res.Status, "no webhook yet: %s", res.Body)
	require.Contains(t, string(res.Body), "POST /v1/webhooks")

	type keyInfo struct {
		Data struct {
			WebhookID int64  `json:"webhookId"`
			Key       string `json:"key"`
			KeyID     string `json:"keyId"`
			CreatedAt int64  `json:"createdAt"`
			UpdatedAt int64  `json:"updatedAt"`
			Keys      []struct {
				KeyID string `json:"keyId"`
			} `json:"keys"`
		} `json:"data"`
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	first := createWebhook(t, tn, "https://hooks.example.com/a", "CUSTOMER")
	var only keyInfo
	tn.Do(t, "GET", "/v1/webhooks/key", nil).JSON(t, &only)
	require.Equal(t, first, only.Data.WebhookID, "the only webhook's key by default")
	require.Equal(t, 200, only.Code)
	require.Regexp(t, `^ssh-ed25519 AAAA\S+ openvest-webhook-[0-9a-f]{12}$`, only.Data.Key)
	require.True(t, strings.HasSuffix(only.Data.Key, " "+only.Data.KeyID), "the comment is the keyid deliveries name")
	require.NotZero(t, only.Data.CreatedAt)
	require.Len(t, only.Data.Keys, 1)
	docsKey(t, only.Data.Key)

	second := createWebhook(t, tn, "https://hooks.example.com/b", "ACCOUNT")
	var a, b, def keyInfo
	tn.Do(t, "GET", path("/v1/webhooks/key?webhookId=%d", first), nil).JSON(t, &a)
	tn.Do(t, "GET", path("/v1/webhooks/key?webhookId=%d", second), nil).JSON(t, &b)
	tn.Do(t, "GET", "/v1/webhooks/key", nil).JSON(t, &def)
	require.Equal(t, only.Data.Key, a.Data.Key, "a webhook's key does not change")
	require.Equal(t, second, b.Data.WebhookID)
	require.NotEqual(t, a.Data.Key, b.Data.Key, "a key pair per webhook")
	require.NotEqual(t, a.Data.KeyID, b.Data.KeyID)
	require.Equal(t, first, def.Data.WebhookID, "with several, the first by default")

	other := env.NewTenant(t, apitest.TenantOptions{})
	require.Equal(t, http.StatusNotFound, other.Do(t, "GET", path("/v1/webhooks/key?webhookId=%d", first), nil).Status, "another organization's webhook is not found")
}

// TestUpdateWebhookDocsBody: PUT /v1/webhooks with the docs' body {url,
// subscriptions} updates the organization's only webhook; with several it
// is a 400 naming webhookId, and webhookId selects one as before.
func TestUpdateWebhookDocsBody(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	docsBody := map[string]any{"url": "https://hooks.example.com/new", "subscriptions": []string{"ACCOUNT", "AUTH.DELETED"}}
	res := tn.Do(t, "PUT", "/v1/webhooks", docsBody)
	require.Equal(t, http.StatusNotFound, res.Status, "no webhook to update: %s", res.Body)

	first := createWebhook(t, tn, "https://hooks.example.com/a", "CUSTOMER")
	var key struct{ Data struct{ Key string } }
	tn.Do(t, "GET", "/v1/webhooks/key", nil).JSON(t, &key)
	res = tn.Do(t, "PUT", "/v1/webhooks", docsBody)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Data struct {
			WebhookID     int64    `json:"webhookId"`
			URL           string   `json:"url"`
			Subscriptions []string `json:"subscriptions"`
		} `json:"data"`
	}
	res.JSON(t, &out)
	require.Equal(t, first, out.Data.WebhookID)
	require.Equal(t, "https://hooks.example.com/new", out.Data.URL)
	require.Equal(t, []string{"ACCOUNT", "AUTH.DELETED"}, out.Data.Subscriptions, "the subscriptions are replaced")
	var after struct{ Data struct{ Key string } }
	tn.Do(t, "GET", "/v1/webhooks/key", nil).JSON(t, &after)
	require.Equal(t, key.Data.Key, after.Data.Key, "an update keeps the webhook's key")

	res = tn.Do(t, "PUT", "/v1/webhooks", map[string]any{"webhookId": first})
	require.Equal(t, http.StatusBadRequest, res.Status, "nothing to update: %s", res.Body)

	second := createWebhook(t, tn, "https://hooks.example.com/b", "CUSTOMER")
	res = tn.Do(t, "PUT", "/v1/webhooks", docsBody)
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	var e errorBody
	res.JSON(t, &e)
	require.Equal(t, "webhookId", e.Errors[0].Field)
	require.Contains(t, e.Message, "2 webhooks")

	res = tn.Do(t, "PUT", "/v1/webhooks", map[string]any{"webhookId": second, "subscriptions": []string{"REQUEST"}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res.JSON(t, &out)
	require.Equal(t, second, out.Data.WebhookID)
	require.Equal(t, []string{"REQUEST"}, out.Data.Subscriptions)
}

// TestSandboxPriceEmitsInstrumentUpdated: setting and clearing a sandbox
// price changes the instrument, and a receiver subscribed to INSTRUMENT
// gets INSTRUMENT.UPDATED with the instrument as GET returns it.
func TestSandboxPriceEmitsInstrumentUpdated(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	rc := newReceiver(t, tn, nil)
	rc.subscribe(tn, "INSTRUMENT")
	res := tn.Do(t, "PUT", "/v1/sandbox/instruments/AAPL/price", json.RawMessage(`{"price": 123.45}`))
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	set := rc.waitFor(1, event("INSTRUMENT.UPDATED"))[0]
	require.NoError(t, set.verified)
	var inst struct {
		Symbol         string      `json:"symbol"`
		Price          json.Number `json:"price"`
		IsSandboxPrice bool        `json:"isSandboxPrice"`
	}
	require.NoError(t, json.Unmarshal(set.Data, &inst))
	require.Equal(t, "AAPL", inst.Symbol)
	require.Equal(t, "123.45", inst.Price.String())
	require.True(t, inst.IsSandboxPrice)

	require.Equal(t, http.StatusNoContent, tn.Do(t, "DELETE", "/v1/sandbox/instruments/AAPL/price", nil).Status)
	cleared := rc.waitFor(2, event("INSTRUMENT.UPDATED"))[1]
	require.NoError(t, json.Unmarshal(cleared.Data, &inst))
	require.False(t, inst.IsSandboxPrice, "back to the market price")
	require.Equal(t, http.StatusNotFound, tn.Do(t, "DELETE", "/v1/sandbox/instruments/AAPL/price", nil).Status, "nothing to clear: no event")
}
