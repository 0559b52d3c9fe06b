package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// surfaceIDs are the resources surfaceJourney made.
type surfaceIDs struct {
	walletCustomer, walletAccount            string
	application, deniedApp, reviewApp        string
	bankingCustomer, individual, reviewedCus string
}

// surfaceJourney drives the wallet and banking surfaces of a sandbox
// tenant through every change that emits an event: a wallet customer
// created (with its account), updated, a second account; a corporate
// application created, updated, given its document, submitted and
// approved; one denied; one sent to manual review and approved by the
// sandbox control; the customer's contact changed, an individual's too,
// and a status change.
func surfaceJourney(t *testing.T, tn *apitest.Tenant) surfaceIDs {
	t.Helper()
	var ids surfaceIDs
	cp := newCounterparty(t, tn, "Events Ltd")
	wc := newWalletCustomer(t, tn, cp, map[string]any{"login": "events@example.com"})
	ids.walletCustomer = wc["customer_guid"].(string)
	res := tn.Do(t, http.MethodPut, "/counterparty/"+cp+"/customers/"+ids.walletCustomer, map[string]any{"name": "Eve"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = tn.Do(t, http.MethodPost, "/counterparty/"+cp+"/customers/"+ids.walletCustomer+"/accounts", map[string]any{})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	ids.walletAccount = res.Map(t)["wallet_account_guid"].(string)

	ids.application = readyApplication(t, tn, corporateApplication("Smith")) // CREATED, UPDATED (document)
	res = tn.Do(t, http.MethodPatch, "/applications/"+ids.application, map[string]any{"email": "ops@acmecorp.com"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	a := submit(t, tn, ids.application) // SUBMITTED, APPROVED, BANKING_CUSTOMER.CREATED
	require.Equal(t, "APPROVED", a["status"], "%v", a)
	ids.bankingCustomer = a["customer_id"].(string)
	denied := submit(t, tn, readyApplication(t, tn, individualApplication("Deny")))
	require.Equal(t, "DENIED", denied["status"])
	ids.deniedApp = denied["id"].(string)
	review := submit(t, tn, readyApplication(t, tn, individualApplication("Review")))
	require.Equal(t, "MANUAL_REVIEW", review["status"])
	ids.reviewApp = review["id"].(string)
	res = tn.Do(t, http.MethodPost, "/sandbox/applications/"+ids.reviewApp+"/decision", map[string]any{"decision": "APPROVED"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	ids.reviewedCus = res.Map(t)["customer_id"].(string)

	res = tn.Do(t, http.MethodPatch, "/customers/"+ids.bankingCustomer, map[string]any{"phone": "+15550100"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	detail := getJSON(t, tn, "/customers/"+ids.bankingCustomer)
	ids.individual = detail["individuals"].([]any)[0].(map[string]any)["id"].(string)
	res = tn.Do(t, http.MethodPatch, "/customers/"+ids.bankingCustomer+"/individuals/"+ids.individual, map[string]any{"phone": "+15550101"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = tn.Do(t, http.MethodPost, "/sandbox/customers/"+ids.bankingCustomer+"/status", map[string]any{"status": "FROZEN"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return ids
}

// eventsOf lists the names of deliveries, in order of arrival.
func eventsOf(ds []delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Event
	}
	return out
}

// dataOf decodes a delivery's data.
func dataOf(t *testing.T, d delivery) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(d.Data, &m), "%s", d.Data)
	return m
}

// TestSurfaceEventsAreSignedAndTyped: a receiver subscribed by domain
// (WALLET_CUSTOMER, BANKING_APPLICATION) and by event
// (BANKING_CUSTOMER.STATUS_CHANGED, BANKING_INDIVIDUAL.UPDATED) gets
// signed deliveries from the wallet and banking surfaces, and only those:
// no WALLET_ACCOUNT.*, no BANKING_CUSTOMER.CREATED/UPDATED. Each verifies
// and validates against its schema; data is the surface's own resource
// (snake_case ids, the state after the change; SUBMITTED as submitted).
func TestSurfaceEventsAreSignedAndTyped(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	rc := newReceiver(t, tn, nil)
	hook := rc.subscribe(tn, "WALLET_CUSTOMER", "BANKING_APPLICATION", "BANKING_CUSTOMER.STATUS_CHANGED", "BANKING_INDIVIDUAL.UPDATED")
	ids := surfaceJourney(t, tn)
	// WEBHOOK.CREATED; wallet 2; applications: main 4 (CREATED, UPDATED
	// document, UPDATED patch, SUBMITTED+APPROVED = 5), denied and review
	// 4 each (+1 decision for review); status 1; individual 1.
	const want = 1 + 2 + 5 + 4 + 5 + 1 + 1
	got := rc.waitFor(want, func(delivery) bool { return true })
	for _, d := range got {
		require.NoError(t, d.verified, "%s %s", d.Event, d.body)
	}
	counts := map[string]int{}
	for _, d := range got {
		counts[d.Event]++
	}
	require.Equal(t, map[string]int{
		"WEBHOOK.CREATED":                   1,
		"WALLET_CUSTOMER.CREATED":           1,
		"WALLET_CUSTOMER.UPDATED":           1,
		"BANKING_APPLICATION.CREATED":       3,
		"BANKING_APPLICATION.UPDATED":       4,
		"BANKING_APPLICATION.SUBMITTED":     3,
		"BANKING_APPLICATION.APPROVED":      2,
		"BANKING_APPLICATION.DENIED":        1,
		"BANKING_APPLICATION.MANUAL_REVIEW": 1,
		"BANKING_CUSTOMER.STATUS_CHANGED":   1,
		"BANKING_INDIVIDUAL.UPDATED":        1,
	}, counts, "%v", eventsOf(got))

	for _, d := range got {
		m := dataOf(t, d)
		switch d.Event {
		case "WALLET_CUSTOMER.UPDATED":
			require.Equal(t, ids.walletCustomer, m["customer_guid"])
			require.Equal(t, "Eve", m["name"])
		case "BANKING_APPLICATION.SUBMITTED":
			require.Equal(t, "SUBMITTED", m["status"], "the application as submitted")
		case "BANKING_APPLICATION.APPROVED":
			require.Contains(t, []any{ids.bankingCustomer, ids.reviewedCus}, m["customer_id"])
		case "BANKING_APPLICATION.DENIED":
			require.Equal(t, ids.deniedApp, m["id"])
		case "BANKING_APPLICATION.MANUAL_REVIEW":
			require.Equal(t, ids.reviewApp, m["id"])
		case "BANKING_CUSTOMER.STATUS_CHANGED":
			require.Equal(t, ids.bankingCustomer, m["id"])
			require.Equal(t, "FROZEN", m["status"])
		case "BANKING_INDIVIDUAL.UPDATED":
			require.Equal(t, ids.individual, m["id"])
			require.Equal(t, "+15550101", m["phone"])
		}
	}
	// The delivery log lists them, with their event names.
	res := tn.Do(t, http.MethodGet, path("/v1/webhooks/%d/deliveries?limit=100", hook), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var log struct {
		Data []struct {
			Event string `json:"event"`
			State string `json:"state"`
		} `json:"data"`
	}
	res.JSON(t, &log)
	require.Len(t, log.Data, want)
	logged := map[string]bool{}
	for _, d := range log.Data {
		logged[d.Event] = true
	}
	require.True(t, logged["BANKING_CUSTOMER.STATUS_CHANGED"] && logged["WALLET_CUSTOMER.CREATED"], "%v", logged)
}
