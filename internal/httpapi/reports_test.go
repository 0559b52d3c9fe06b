package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

func reportEnv(t *testing.T, db string) trader {
	t.Helper()
	env := apitest.Start(t, apitest.Options{
		DatabaseURL: db, Jobs: true, WebhookAllowPrivate: true,
		WebhookSchedule: webhook.Schedule{50 * time.Millisecond, 50 * time.Millisecond},
	})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	return trader{env: env, tn: tn, customerID: createCustomer(t, tn, customerOpts{})}
}

// report waits until the report is no longer PENDING and returns it.
func (tr trader) report(t *testing.T, id int64, done func(map[string]any) bool) map[string]any {
	t.Helper()
	var r map[string]any
	require.Eventually(t, func() bool {
		r = exact(t, tr.tn.Do(t, "GET", path("/v1/reports/%d", id), nil))
		return done(r)
	}, 15*time.Second, 20*time.Millisecond, "report %d", id)
	return r
}

func produced(r map[string]any) bool { return r["status"] != "PENDING" }

// A report is produced by its job from the organization's data,
// downloadable, and POSTed to its url signed like a webhook delivery
// (verified by the docs' receiver, an RFC 9421 library and Standard
// Webhooks, the payload matching its schema); REPORT.CREATED and
// REPORT.UPDATED reach the webhook.
func TestReportProducedDownloadedAndDelivered(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, db string) {
		tr := reportEnv(t, db)
		rc := newReceiver(t, tr.tn, nil)
		rc.subscribe(tr.tn, "REPORT")
		tr.setPrice(t, "AAPL", "200")
		buy := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 500}`, tr.customerID))
		require.Equal(t, "COMPLETED", tr.settled(t, buy)["status"])
		other := createCustomer(t, tr.tn, customerOpts{}) // holds nothing: not in USER

		res := tr.tn.Do(t, "POST", "/v1/reports", map[string]any{
			"reportTypes": []string{"USER", "REGULATORY", "TRANSACTION"}, "url": rc.url(), "email": "compliance@example.com",
		})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		created := exact(t, res)
		require.Equal(t, "PENDING", created["status"])
		require.Equal(t, false, created["emailSent"])
		require.Contains(t, created["notice"], "E-mail is not sent")
		id := int64Of(t, created["reportId"])

		r := tr.report(t, id, func(r map[string]any) bool {
			return r["status"] != "PENDING" && r["delivery"].(map[string]any)["status"] != "PENDING"
		})
		require.Equal(t, "COMPLETED", r["status"], "%v", r)
		require.Equal(t, num("3"), r["rowCount"], "one holding, one transaction, one trade")
		d := r["delivery"].(map[string]any)
		require.Equal(t, "DELIVERED", d["status"], "%v", d)
		require.Equal(t, num("200"), d["statusCode"])

		// The file: the organization's data.
		file := tr.tn.Do(t, "GET", path("/v1/reports/%d/file", id), nil)
		require.Equal(t, http.StatusOK, file.Status, "%s", file.Body)
		require.Equal(t, "application/json", file.Header.Get("Content-Type"))
		require.Contains(t, file.Header.Get("Content-Disposition"), path(`report-%d.json`, id))
		var doc struct {
			Users []struct {
				CustomerID int64 `json:"customerId"`
				Holdings   []struct {
					Symbol   string      `json:"symbol"`
					Quantity json.Number `json:"quantity"`
				} `json:"holdings"`
			} `json:"users"`
			Transactions []struct {
				RequestID int64 `json:"requestId"`
			} `json:"transactions"`
			TradeBlotter []struct {
				RequestID int64       `json:"requestId"`
				Price     json.Number `json:"price"`
				Quantity  json.Number `json:"quantity"`
				Side      string      `json:"requestType"`
			} `json:"tradeBlotter"`
		}
		dec := json.NewDecoder(bytes.NewReader(file.Body))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&doc))
		require.Len(t, doc.Users, 1)
		require.Equal(t, tr.customerID, doc.Users[0].CustomerID)
		require.NotEqual(t, other, doc.Users[0].CustomerID)
		require.Equal(t, "AAPL", doc.Users[0].Holdings[0].Symbol)
		require.Equal(t, num("2.5"), doc.Users[0].Holdings[0].Quantity)
		require.Len(t, doc.TradeBlotter, 1)
		require.Equal(t, buy, doc.TradeBlotter[0].RequestID)
		require.Equal(t, num("200"), doc.TradeBlotter[0].Price)
		require.Equal(t, "PURCHASE", doc.TradeBlotter[0].Side)
		require.Len(t, doc.Transactions, 1)

		// The POST to url: verified, carrying the same file.
		posted := rc.waitFor(1, func(d delivery) bool { return bytes.Contains(d.Data, []byte(`"content"`)) })[0]
		require.NoError(t, posted.verified)
		require.Equal(t, "REPORT.UPDATED", posted.Event)
		var data struct {
			ReportID int64           `json:"reportId"`
			Status   string          `json:"status"`
			Content  json.RawMessage `json:"content"`
		}
		require.NoError(t, json.Unmarshal(posted.Data, &data))
		require.Equal(t, id, data.ReportID)
		require.Equal(t, "COMPLETED", data.Status)
		require.JSONEq(t, string(file.Body), string(data.Content))
		require.Equal(t, d["keyId"], webhookKeyID(t, posted))

		// The events.
		require.NoError(t, rc.waitFor(1, event("REPORT.CREATED"))[0].verified)
		updates := rc.waitFor(3, event("REPORT.UPDATED")) // produced, the POST, the delivery's end
		for _, u := range updates {
			require.NoError(t, u.verified)
		}
	})
}

// webhookKeyID is the keyid of a delivery's docs-form signature.
func webhookKeyID(t *testing.T, d delivery) string {
	t.Helper()
	in := d.header.Get("Signature-Input")
	i := bytes.Index([]byte(in), []byte(`keyid="`))
	require.GreaterOrEqual(t, i, 0, in)
	rest := in[i+len(`keyid="`):]
	return rest[:bytes.IndexByte([]byte(rest), '"')]
}

func TestReportCSVListsAndTenancy(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, db string) {
		tr := reportEnv(t, db)
		tr.setPrice(t, "MSFT", "400")
		buy := tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 2, "purchaseAmount": 1000}`, tr.customerID))
		require.Equal(t, "COMPLETED", tr.settled(t, buy)["status"])

		res := tr.tn.Do(t, "POST", "/v1/reports", map[string]any{"reportTypes": []string{"REGULATORY"}, "format": "CSV"})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		created := exact(t, res)
		require.Equal(t, "NONE", created["delivery"].(map[string]any)["status"])
		require.NotContains(t, created, "notice", "no email, no notice")
		id := int64Of(t, created["reportId"])
		r := tr.report(t, id, produced)
		require.Equal(t, "COMPLETED", r["status"])

		file := tr.tn.Do(t, "GET", path("/v1/reports/%d/file", id), nil)
		require.Equal(t, http.StatusOK, file.Status, "%s", file.Body)
		require.Equal(t, "text/csv; charset=utf-8", file.Header.Get("Content-Type"))
		rows, err := csv.NewReader(bytes.NewReader(file.Body)).ReadAll()
		require.NoError(t, err)
		require.Len(t, rows, 2, "the header and the one trade")
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		require.Equal(t, "REGULATORY", rows[1][col["section"]])
		require.Equal(t, "MSFT", rows[1][col["symbol"]])
		require.Equal(t, "2.5", rows[1][col["quantity"]])
		require.Equal(t, "400", rows[1][col["price"]])
		require.Equal(t, "1000", rows[1][col["value"]])

		list := exactItems(t, tr.tn.Do(t, "GET", "/v1/reports?sort=DESC", nil))
		require.Len(t, list, 1)
		require.Equal(t, created["reportId"], list[0]["reportId"])

		// Another organization sees none of it.
		other := tr.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
		for _, p := range []string{"/v1/reports/%d", "/v1/reports/%d/file"} {
			res := other.Do(t, "GET", path(p, id), nil)
			require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
		}
		require.Empty(t, items(t, other.Do(t, "GET", "/v1/reports", nil)))

		// Bad input names the field and the rule.
		for body, want := range map[string]string{
			`{"reportTypes": []}`:                                  "reportTypes",
			`{"reportTypes": ["MONTHLY"]}`:                         "reportTypes",
			`{"reportTypes": ["USER"], "url": "ftp://x.example"}`:  "url",
			`{"reportTypes": ["USER"], "email": "not an address"}`: "email",
			`{"reportTypes": ["USER"], "format": "XML"}`:           "format",
		} {
			res := tr.tn.Do(t, "POST", "/v1/reports", json.RawMessage(body))
			require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", body, res.Body)
			require.Contains(t, string(res.Body), want, body)
		}
	})
}

// A report still PENDING has no file (409); the job is not running here.
func TestReportFileOfPendingReportIsConflict(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	res := tr.tn.Do(t, "POST", "/v1/reports", map[string]any{"reportTypes": []string{"USER"}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	id := int64Of(t, exact(t, res)["reportId"])
	res = tr.tn.Do(t, "GET", path("/v1/reports/%d/file", id), nil)
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), "only a COMPLETED report has a file")
	// The job, run now, produces it.
	require.NoError(t, tr.env.App.Reports.Run(t.Context(), tr.tn.Org.ID, id))
	require.Equal(t, "COMPLETED", exact(t, tr.tn.Do(t, "GET", path("/v1/reports/%d", id), nil))["status"])
	res = tr.tn.Do(t, "GET", path("/v1/reports/%d/file", id), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
}
