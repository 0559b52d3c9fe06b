package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/stretchr/testify/require"
)

func (tr trader) newPortfolio(t *testing.T, customerID int64, currency string) int64 {
	t.Helper()
	res := tr.tn.Do(t, "POST", "/v1/portfolio", map[string]any{"customerId": customerID, "currency": currency})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	return int64Of(t, exact(t, res)["portfolioId"])
}

func (tr trader) attach(t *testing.T, customerID, portfolioID, assetID int64) apitest.Response {
	t.Helper()
	return tr.tn.Do(t, "POST", "/v1/portfolio/assets", map[string]any{"customerId": customerID, "portfolioId": portfolioID, "assetId": assetID})
}

func (tr trader) portfolioByID(t *testing.T, id int64) map[string]any {
	t.Helper()
	res := tr.tn.Do(t, "GET", path("/v1/portfolio/%d", id), nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return exact(t, res)
}

// An asset attached to another portfolio of its customer moves with its
// value, both portfolios are revalued, and its sells execute there; the
// rules (ownership, one asset per instrument, currency) hold, the
// ownership one in the database itself.
func TestAttachAssetToPortfolio(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, db string) {
		tr := newTrader(t, apitest.Options{DatabaseURL: db})
		tr.setPrice(t, "AAPL", "200")
		tr.execute(t, tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 500}`, tr.customerID)))
		asset := tr.assets(t)[0]
		assetID := int64Of(t, asset["assetId"])
		from := int64Of(t, asset["portfolioId"])
		currency := tr.portfolio(t)["currency"].(string)
		to := tr.newPortfolio(t, tr.customerID, currency)

		res := tr.attach(t, tr.customerID, to, assetID)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		moved := exact(t, res)
		require.Equal(t, num(itoa(int(to))), moved["portfolioId"])
		require.Equal(t, asset["quantity"], moved["quantity"])
		require.Equal(t, num("0"), tr.portfolioByID(t, from)["marketValue"])
		require.Equal(t, asset["marketValue"], tr.portfolioByID(t, to)["marketValue"])
		require.Equal(t, asset["investmentAmount"], tr.portfolioByID(t, to)["investmentAmount"])

		// Again: nothing changes.
		res = tr.attach(t, tr.customerID, to, assetID)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, moved["updatedAt"], exact(t, res)["updatedAt"])

		// A sell of the asset executes in its new portfolio.
		sell := tr.sell(t, path(`{"customerId": %d, "currency": "USD", "assetId": %d, "sellPercentage": 50}`, tr.customerID, assetID))
		require.Equal(t, "COMPLETED", tr.execute(t, sell)["status"])
		a := exact(t, tr.tn.Do(t, "GET", path("/v1/assets/%d", assetID), nil))
		require.Equal(t, num("1.25"), a["quantity"])
		require.Equal(t, num("250"), tr.portfolioByID(t, to)["marketValue"])

		// One asset per instrument in a portfolio: a new AAPL holding in the
		// account's portfolio cannot join it.
		tr.execute(t, tr.purchase(t, path(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 100}`, tr.customerID)))
		var second int64
		for _, x := range tr.assets(t) {
			if id := int64Of(t, x["assetId"]); id != assetID {
				second = id
			}
		}
		require.NotZero(t, second)
		res = tr.attach(t, tr.customerID, to, second)
		require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), "one asset per instrument")

		// Another currency: 422.
		other := "EUR"
		if currency == "EUR" {
			other = "USD"
		}
		res = tr.attach(t, tr.customerID, tr.newPortfolio(t, tr.customerID, other), assetID)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)

		// Another customer's portfolio or asset, another organization: 404.
		stranger := createCustomer(t, tr.tn, customerOpts{})
		theirs := tr.newPortfolio(t, stranger, currency)
		for _, c := range []struct{ customer, portfolio, asset int64 }{
			{tr.customerID, theirs, assetID},
			{stranger, theirs, assetID},
			{tr.customerID, to, 999999},
			{tr.customerID, 999999, assetID},
		} {
			res = tr.attach(t, c.customer, c.portfolio, c.asset)
			require.Equal(t, http.StatusNotFound, res.Status, "%+v: %s", c, res.Body)
		}
		org2 := tr.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
		res = org2.Do(t, "POST", "/v1/portfolio/assets", map[string]any{"customerId": tr.customerID, "portfolioId": to, "assetId": assetID})
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)

		// The database itself refuses an asset in another customer's portfolio.
		err := tr.env.App.Store.Trading().MoveAsset(t.Context(), tr.tn.Org.ID, assetID, theirs, int64Of(t, a["accountId"]), tr.env.Now())
		require.True(t, errcode.Is(err, errcode.NotFound), "%v", err)
		require.Equal(t, num(itoa(int(to))), exact(t, tr.tn.Do(t, "GET", path("/v1/assets/%d", assetID), nil))["portfolioId"])

		// Bad input names the field.
		res = tr.tn.Do(t, "POST", "/v1/portfolio/assets", json.RawMessage(`{"customerId": 1, "portfolioId": 2}`))
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
		require.Contains(t, string(res.Body), "assetId")
	})
}
