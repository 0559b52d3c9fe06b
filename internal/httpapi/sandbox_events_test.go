package httpapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// eventIDField is the field of each domain's data that is its id.
var eventIDField = map[string]string{
	"CUSTOMER": "customerId", "ACCOUNT": "accountId", "PORTFOLIO": "portfolioId", "REQUEST": "requestId",
	"ASSET": "assetId", "TRANSACTION": "transactionId", "INSTRUMENT": "symbol", "WEBHOOK": "webhookId", "REPORT": "reportId",
	"WALLET_CUSTOMER": "customer_guid", "WALLET_ACCOUNT": "wallet_account_guid",
	"BANKING_APPLICATION": "id", "BANKING_CUSTOMER": "id", "BANKING_INDIVIDUAL": "id",
}

// idString is an id decoded from JSON as the API takes it back: digits
// for a number.
func idString(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func domainOf(event string) string {
	for i := range event {
		if event[i] == '.' {
			return event[:i]
		}
	}
	return event
}

// TestFireEveryEvent: after a journey over the three surfaces, every
// SandboxEventName fired for one of the organization's resources answers
// 202 with the event, and arrives at the receiver signed (both ways) with
// a payload that validates against its schema, data being the resource
// fired for; the fired events are in the delivery log.
func TestFireEveryEvent(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{Jobs: true, WebhookAllowPrivate: true})
	rc := newReceiver(t, tr.tn, nil)
	hook := rc.subscribe(tr.tn, "ALL")
	tr.customerID = createCustomer(t, tr.tn, customerOpts{}) // CUSTOMER.CREATED, ACCOUNT.CREATED
	tr.setPrice(t, "AAPL", "230")
	req := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 100}`, tr.customerID))
	require.Equal(t, "COMPLETED", tr.settled(t, req)["status"])
	surfaceJourney(t, tr.tn)
	report := tr.tn.Do(t, http.MethodPost, "/v1/reports", map[string]any{"reportTypes": []string{"REGULATORY"}, "format": "CSV"})
	require.Equal(t, http.StatusCreated, report.Status, "%s", report.Body) // REPORT.CREATED

	doc, err := api.GetSwagger()
	require.NoError(t, err)
	var names []string
	for _, v := range doc.Components.Schemas["SandboxEventName"].Value.Enum {
		names = append(names, v.(string))
	}
	var emitted []any
	emitted = append(emitted, doc.Components.Schemas["WebhookEventType"].Value.Enum...)
	for _, n := range names {
		require.Contains(t, emitted, n, "a fireable event is an event Openvest emits")
	}

	// An id of each domain, from what the journey delivered.
	ids := map[string]string{}
	require.Eventually(t, func() bool {
		for _, d := range rc.deliveries() {
			dom := domainOf(d.Event)
			if f, ok := eventIDField[dom]; ok && ids[dom] == "" {
				if v, ok := dataOf(t, d)[f]; ok {
					ids[dom] = idString(v)
				}
			}
		}
		return len(ids) == len(eventIDField)
	}, deliveryDeadline(100), 20*time.Millisecond, "an id of every domain: %v", ids)
	for _, n := range names {
		_, ok := ids[domainOf(n)]
		require.True(t, ok, "the test knows the id field of %s", n)
	}

	fired := map[string]string{} // eventId → event
	for _, n := range names {
		res := tr.tn.Do(t, http.MethodPost, "/v1/sandbox/events", map[string]any{"event": n, "resourceId": ids[domainOf(n)]})
		require.Equal(t, http.StatusAccepted, res.Status, "%s: %s", n, res.Body)
		var out struct {
			Data struct {
				EventID string         `json:"eventId"`
				Event   string         `json:"event"`
				Data    map[string]any `json:"data"`
			} `json:"data"`
		}
		res.JSON(t, &out)
		require.Equal(t, n, out.Data.Event)
		require.Equal(t, ids[domainOf(n)], idString(out.Data.Data[eventIDField[domainOf(n)]]), "%s is about the resource named", n)
		fired[out.Data.EventID] = n
	}
	got := rc.waitFor(len(fired), func(d delivery) bool { return fired[d.EventID] != "" })
	require.Len(t, got, len(fired))
	for _, d := range got {
		require.Equal(t, fired[d.EventID], d.Event)
		require.NoError(t, d.verified, "%s %s", d.Event, d.body)
		require.Equal(t, ids[domainOf(d.Event)], idString(dataOf(t, d)[eventIDField[domainOf(d.Event)]]))
	}
	res := tr.tn.Do(t, http.MethodGet, path("/v1/webhooks/%d/deliveries?limit=100&sort=DESC", hook), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var log struct {
		Data []struct {
			EventID string `json:"eventId"`
		} `json:"data"`
	}
	res.JSON(t, &log)
	logged := 0
	for _, d := range log.Data {
		if fired[d.EventID] != "" {
			logged++
		}
	}
	require.Equal(t, len(fired), logged, "every fired event is in the delivery log")
}

// TestFireEventRules: a production organization has no such control
// (404); another organization's resource is not found (404), nor is an
// id nobody has; an unknown event is a 400 naming the event field and the
// allowed values; an id of the wrong kind is a 400 naming resourceId.
func TestFireEventRules(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	other := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	prod := env.NewTenant(t, apitest.TenantOptions{})
	mine := createCustomer(t, tn, customerOpts{})
	theirs := createCustomer(t, other, customerOpts{})
	theirApp := other.Do(t, http.MethodPost, "/applications", individualApplication("Doe"))
	require.Equal(t, http.StatusCreated, theirApp.Status, "%s", theirApp.Body)

	fire := func(tn *apitest.Tenant, event, id string) apitest.Response {
		return tn.Do(t, http.MethodPost, "/v1/sandbox/events", map[string]any{"event": event, "resourceId": id})
	}
	res := fire(tn, "CUSTOMER.UPDATED", fmt.Sprint(mine))
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)

	mineProd := createCustomer(t, prod, customerOpts{})
	res = fire(prod, "CUSTOMER.UPDATED", fmt.Sprint(mineProd))
	require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)

	for _, c := range []struct{ event, id string }{
		{"CUSTOMER.UPDATED", fmt.Sprint(theirs)},
		{"BANKING_APPLICATION.CREATED", theirApp.Map(t)["id"].(string)},
		{"CUSTOMER.CREATED", "999999999"},
		{"WALLET_CUSTOMER.CREATED", "0193a1f2-7c1e-7a5b-9c1d-2e3f4a5b6c7d"},
		{"BANKING_INDIVIDUAL.UPDATED", "ind_nobody"},
	} {
		res = fire(tn, c.event, c.id)
		require.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", c.event, c.id, res.Body)
	}

	for _, event := range []string{"CUSTOMER.DELETED", "AUTH.CREATED", "WEBHOOK.TEST"} {
		res = fire(tn, event, fmt.Sprint(mine))
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", event, res.Body)
		require.Contains(t, string(res.Body), `"field":"event"`, "%s", res.Body)
		require.Contains(t, string(res.Body), "BANKING_CUSTOMER.STATUS_CHANGED", "the error lists the allowed events: %s", res.Body)
	}
	for _, c := range []struct{ event, id string }{{"CUSTOMER.UPDATED", "abc"}, {"WALLET_ACCOUNT.CREATED", "123"}} {
		res = fire(tn, c.event, c.id)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), `"field":"resourceId"`, "%s", res.Body)
	}
}
