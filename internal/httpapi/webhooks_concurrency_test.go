package httpapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestConcurrentWebhookChangesFailNoOtherRequest: while webhooks are
// created, deactivated, reactivated and deleted, many concurrent customer
// creates, account updates and test events all succeed (no 5xx: no foreign
// key violation, no deadlock), and every delivery ends either made or
// dropped with its webhook; a webhook left alone gets every event.
func TestConcurrentWebhookChangesFailNoOtherRequest(t *testing.T) {
	t.Parallel()
	env, tn := webhookEnv(t)
	stable := newReceiver(t, tn, nil)
	churned := newReceiver(t, tn, nil)
	stable.subscribe(tn, "CUSTOMER.CREATED")
	customerID := createCustomer(t, tn, customerOpts{})
	accounts := items(t, tn.Do(t, "GET", path("/v1/accounts?customerId=%d", customerID), nil))
	require.NotEmpty(t, accounts)
	accountID := accounts[0]["accountId"]

	const writers, writes, churners, rounds = 8, 24, 3, 8
	var (
		mu       sync.Mutex
		failures []string
		created  int
	)
	record := func(what string, res int, body []byte) {
		mu.Lock()
		defer mu.Unlock()
		if res >= 500 {
			failures = append(failures, fmt.Sprintf("%s: %d %s", what, res, body))
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range writes {
				switch (w + i) % 3 {
				case 0:
					res := tn.Do(t, "POST", "/v1/customers", map[string]any{"firstName": "Race", "lastName": "Test"})
					record("POST /v1/customers", res.Status, res.Body)
					if res.Status == http.StatusCreated {
						mu.Lock()
						created++
						mu.Unlock()
					}
				case 1:
					currency := []string{"USD", "EUR"}[i%2]
					res := tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accountID, "currency": currency})
					record("PUT /v1/accounts", res.Status, res.Body)
				default:
					res := tn.Do(t, "POST", "/v1/webhooks/test", nil)
					record("POST /v1/webhooks/test", res.Status, res.Body)
				}
			}
		}()
	}
	for range churners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				res := tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": churned.url(), "subscriptions": []string{"ALL"}})
				record("POST /v1/webhooks", res.Status, res.Body)
				if res.Status != http.StatusCreated {
					continue
				}
				id := res.Map(t)["data"].(map[string]any)["webhookId"]
				for _, status := range []string{"DEACTIVED", "ACTIVE"} {
					res = tn.Do(t, "PUT", "/v1/webhooks", map[string]any{"webhookId": id, "status": status})
					record("PUT /v1/webhooks", res.Status, res.Body)
				}
				res = tn.Do(t, "DELETE", path("/v1/webhooks/%v", id), nil)
				record("DELETE /v1/webhooks", res.Status, res.Body)
			}
		}()
	}
	wg.Wait()
	require.Empty(t, failures, "no request fails because a webhook changed")

	// Every delivery ends: none stays pending (the churned webhooks' went
	// with them, or were canceled with their deactivation).
	db := env.App.Store.DB
	require.Eventually(t, func() bool {
		var pending int64
		require.NoError(t, db.Table("webhook_deliveries").Where("organization_id = ? AND state = ?", tn.Org.ID, "PENDING").Count(&pending).Error)
		return pending == 0
	}, 30*time.Second, 20*time.Millisecond, "every delivery is made or dropped")
	var orphans int64
	require.NoError(t, db.Table("webhook_deliveries d").Where("d.organization_id = ? AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = d.webhook_id)", tn.Org.ID).Count(&orphans).Error)
	require.Zero(t, orphans)

	// The webhook nobody touched got every CUSTOMER.CREATED event, once per event.
	got := stable.waitFor(created+1, event("CUSTOMER.CREATED"))
	seen := map[string]bool{}
	for _, d := range got {
		seen[d.EventID] = true
		require.NoError(t, d.verified)
	}
	require.Len(t, seen, created+1)
}
