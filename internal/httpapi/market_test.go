package httpapi_test

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// onBothDatabases runs fn as two parallel subtests: on the package's
// PostgreSQL database and on a fresh SQLite file.
func onBothDatabases(t *testing.T, fn func(t *testing.T, db string)) {
	t.Helper()
	for _, name := range []string{"postgres", "sqlite"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := ""
			if name == "sqlite" {
				db = "sqlite://" + filepath.Join(t.TempDir(), "openvest.db")
			}
			fn(t, db)
		})
	}
}

func int64Of(t *testing.T, v any) int64 {
	t.Helper()
	n, err := v.(json.Number).Int64()
	require.NoError(t, err, "%v", v)
	return n
}

// bars fetches the bars of a query and checks the page's meta.
func (tr trader) bars(t *testing.T, query string) ([]map[string]any, map[string]any) {
	t.Helper()
	res := tr.tn.Do(t, "GET", "/v1/market/data"+query, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Meta map[string]any `json:"meta"`
	}
	res.JSON(t, &out)
	return exactItems(t, res), out.Meta
}

// A bar's close is the price the fills inside it used: at the market's
// walk on two days, and at a sandbox price.
func TestMarketDataCloseIsTheFillPrice(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, db string) {
		tr := newTrader(t, apitest.Options{DatabaseURL: db})
		fill := func(body string) map[string]any {
			id := tr.purchase(t, path(body, tr.customerID))
			require.Equal(t, "COMPLETED", tr.execute(t, id)["status"])
			txs := exactItems(t, tr.tn.Do(t, "GET", path("/v1/transactions?requestId=%d", id), nil))
			require.Len(t, txs, 1)
			return txs[0]
		}
		first := fill(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 500}`)
		res := tr.tn.Do(t, "POST", "/v1/sandbox/clock/advance", json.RawMessage(`{"seconds": 259200}`))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		second := fill(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 500}`)
		tr.setPrice(t, "AAPL", "123.45678")
		third := fill(`{"customerId": %d, "currency": "USD", "instrumentId": 1, "purchaseAmount": 500}`)
		require.Equal(t, num("123.45678"), third["price"])

		for _, tx := range []map[string]any{first, second, third} {
			at := int64Of(t, tx["executedAt"])
			for _, tf := range []string{"1h", "1d"} {
				bs, _ := tr.bars(t, path("/1?start=%d&end=%d&timeFrame=%s", at, at+1, tf))
				require.Len(t, bs, 1, "the one %s bar containing %d", tf, at)
				b := bs[0]
				require.LessOrEqual(t, int64Of(t, b["start"]), at)
				require.Greater(t, int64Of(t, b["end"]), at)
				// while a sandbox price is set it is every instant's price, as for fills
				require.Equal(t, third["price"], b["close"], "%s bar at %d", tf, at)
			}
		}
		// Cleared, the bars are the market's walk again: each fill's bar
		// (a past day for the first) closes at that fill's price.
		res = tr.tn.Do(t, "DELETE", "/v1/sandbox/instruments/AAPL/price", nil)
		require.Equal(t, http.StatusNoContent, res.Status, "%s", res.Body)
		for _, tx := range []map[string]any{first, second} {
			at := int64Of(t, tx["executedAt"])
			for _, tf := range []string{"1h", "1d", "1w"} {
				bs, _ := tr.bars(t, path("/1?start=%d&end=%d&timeFrame=%s", at, at+1, tf))
				require.Len(t, bs, 1)
				if tf == "1w" {
					// a week's extremes bound every fill inside it
					require.LessOrEqual(t, decimalOf(t, bs[0]["low"]), decimalOf(t, tx["price"]))
					require.GreaterOrEqual(t, decimalOf(t, bs[0]["high"]), decimalOf(t, tx["price"]))
					continue
				}
				require.Equal(t, tx["price"], bs[0]["close"], "%s bar at %d", tf, at)
				require.Equal(t, tx["price"], bs[0]["open"], "the walk moves at midnight only")
			}
		}
	})
}

func decimalOf(t *testing.T, v any) float64 {
	t.Helper()
	f, err := v.(json.Number).Float64() // comparison only; the values are checked exactly above
	require.NoError(t, err)
	return f
}

func TestMarketDataRanges(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, db string) {
		tr := newTrader(t, apitest.Options{DatabaseURL: db})
		now := time.Now().UTC()
		day := now.Truncate(24 * time.Hour)

		// Ten complete days, and the day in progress when end is later.
		bs, m := tr.bars(t, path("?instrumentId=2&start=%d&end=%d&timeFrame=1d", day.Add(-10*24*time.Hour).Unix(), day.Unix()))
		require.Len(t, bs, 10)
		require.Equal(t, float64(10), m["totalCount"])
		for i, b := range bs {
			require.Equal(t, day.Add(time.Duration(i-10)*24*time.Hour).Unix(), int64Of(t, b["start"]))
			require.Equal(t, "MSFT", b["symbol"])
			require.Equal(t, "USD", b["currency"])
			require.Equal(t, "1d", b["timeFrame"])
			require.Positive(t, int64Of(t, b["volume"]))
		}
		require.NotEqual(t, bs[0]["marketDataId"], bs[1]["marketDataId"])
		bs, _ = tr.bars(t, path("?instrumentId=2&start=%d&end=%d&timeFrame=1d", day.Add(-24*time.Hour).Unix(), now.Add(48*time.Hour).Unix()))
		require.Len(t, bs, 2, "yesterday and today; tomorrow has not started")

		// Pages, in both orders; every instrument without instrumentId.
		all, m := tr.bars(t, path("?start=%d&end=%d&timeFrame=1h&limit=7", day.Add(-2*time.Hour).Unix(), day.Unix()))
		require.Len(t, all, 7)
		total := m["totalCount"].(float64)
		require.Greater(t, total, float64(7))
		require.Equal(t, float64(1), m["nextPage"])
		last, _ := tr.bars(t, path("?start=%d&end=%d&timeFrame=1h&limit=1&sort=DESC", day.Add(-2*time.Hour).Unix(), day.Unix()))
		require.Equal(t, day.Add(-time.Hour).Unix(), int64Of(t, last[0]["start"]))

		// A week bar starts on a Monday.
		bs, _ = tr.bars(t, "/3?timeFrame=1w")
		require.Len(t, bs, 31, "30 weeks before now, and the week in progress")
		require.Equal(t, time.Monday, time.Unix(int64Of(t, bs[0]["start"]), 0).UTC().Weekday())

		// Empty ranges are empty lists.
		bs, m = tr.bars(t, path("/1?start=%d&end=%d", day.Unix(), day.Unix()))
		require.Empty(t, bs)
		require.Equal(t, float64(0), m["totalCount"])
		bs, _ = tr.bars(t, path("/1?start=%d&end=%d", now.Add(24*time.Hour).Unix(), now.Add(72*time.Hour).Unix()))
		require.Empty(t, bs, "the future has no bars")

		// Bad ranges are 400s naming the rule; an unknown instrument 404.
		for q, want := range map[string]string{
			path("/1?start=%d&end=%d", day.Unix(), day.Unix()-1): "must be at or before end",
			path("/1?start=0&end=%d&timeFrame=1h", day.Unix()):   "at most 10000",
			"/1?timeFrame=1m": "timeFrame",
			"/1?start=-5":     "start",
		} {
			res := tr.tn.Do(t, "GET", "/v1/market/data"+q, nil)
			require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", q, res.Body)
			require.Contains(t, string(res.Body), want, q)
		}
		res := tr.tn.Do(t, "GET", "/v1/market/data/999999", nil)
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
		res = tr.tn.Do(t, "GET", "/v1/market/data?instrumentId=999999", nil)
		require.Equal(t, http.StatusNotFound, res.Status, "%s", res.Body)
	})
}

// One organization's sandbox price is not another's market data.
func TestMarketDataSandboxPriceIsTheOrganizations(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	other := tr.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	tr.setPrice(t, "NVDA", "1.23")
	mine, _ := tr.bars(t, "/6?limit=1&sort=DESC")
	require.Equal(t, num("1.23"), mine[0]["close"])
	res := other.Do(t, "GET", "/v1/market/data/6?limit=1&sort=DESC", nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	theirs := exactItems(t, res)
	require.NotEqual(t, num("1.23"), theirs[0]["close"])
}

// Instruments carry createdAt (listed in the catalog) and updatedAt (the
// last price change the organization sees: midnight UTC for the market's
// walk, the moment a sandbox price was set).
func TestInstrumentTimestamps(t *testing.T) {
	t.Parallel()
	tr := newTrader(t, apitest.Options{})
	get := func() map[string]any {
		res := tr.tn.Do(t, "GET", "/v1/instruments/AAPL", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		return exact(t, res)
	}
	midnight := time.Now().UTC().Truncate(24 * time.Hour)
	i := get()
	// The midnight before the call, or the next one if the call crossed it.
	midnightAfter := time.Now().UTC().Truncate(24 * time.Hour)
	require.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), int64Of(t, i["createdAt"]))
	require.Contains(t, []int64{midnight.Unix(), midnightAfter.Unix()}, int64Of(t, i["updatedAt"]))
	list := exactItems(t, tr.tn.Do(t, "GET", "/v1/instruments?limit=3", nil))
	require.Equal(t, i["updatedAt"], list[0]["updatedAt"])

	before := time.Now().Unix()
	tr.setPrice(t, "AAPL", "199.99")
	i = get()
	require.GreaterOrEqual(t, int64Of(t, i["updatedAt"]), before, "the moment the sandbox price was set")
	require.Equal(t, true, i["isSandboxPrice"])
}
