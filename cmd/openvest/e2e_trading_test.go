package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/gen/client"
	"github.com/openvest/openvest/httpsig"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// TestNewUserTrades is the journey of a new user of `make run` (the
// embedded SQLite database), through the generated client: buy a
// fractional share in kwacha, watch the request complete, see the holding
// and the portfolio's value, sell part of it, and set up a weekly plan
// that runs when the sandbox clock moves.
func TestNewUserTrades(t *testing.T) {
	ctx := context.Background()
	base, org, token, plain := serveSandboxOnSQLite(t, "Trader")
	c, err := client.NewClientWithResponses(base, client.WithHTTPClient(plain),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Client-Id", org.ClientID)
			if req.Method != http.MethodGet {
				req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
			}
			return nil
		}))
	require.NoError(t, err)

	created, err := c.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{FirstName: "Jane", LastName: "Banda"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	customerID := created.JSON201.Data.CustomerId

	aapl, err := c.GetInstrumentWithResponse(ctx, "AAPL", nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, aapl.StatusCode(), string(aapl.Body))
	require.True(t, aapl.JSON200.Data.FractionalEnabled)

	// 500 kwacha buy a fraction of a share.
	bought, err := c.CreatePurchaseRequestWithResponse(ctx, nil, client.CreatePurchaseRequestJSONRequestBody{
		CustomerId: customerID, Currency: client.ZMW, InstrumentId: aapl.JSON200.Data.InstrumentId, PurchaseAmount: decimal.RequireFromString("500"),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, bought.StatusCode(), string(bought.Body))
	require.Equal(t, client.RequestStatus("PENDING"), bought.JSON201.Data.Status)
	settled := func(id int64) client.InvestmentRequest {
		var r client.InvestmentRequest
		require.Eventually(t, func() bool {
			got, err := c.GetRequestWithResponse(ctx, id, nil)
			require.NoError(t, err)
			r = got.JSON200.Data
			return r.Status != "PENDING"
		}, 20*time.Second, 25*time.Millisecond)
		return r
	}
	require.Equal(t, client.RequestStatus("COMPLETED"), settled(bought.JSON201.Data.RequestId).Status)

	assets, err := c.ListAssetsWithResponse(ctx, &client.ListAssetsParams{CustomerId: &customerID})
	require.NoError(t, err)
	require.Len(t, assets.JSON200.Data, 1)
	holding := assets.JSON200.Data[0]
	require.Equal(t, "AAPL", holding.Symbol)
	require.True(t, holding.Quantity.IsPositive() && holding.Quantity.LessThan(decimal.NewFromInt(1)), "a fraction: %s", holding.Quantity)
	require.True(t, holding.MarketValue.IsPositive())

	portfolios, err := c.ListPortfoliosWithResponse(ctx, &client.ListPortfoliosParams{CustomerId: customerID})
	require.NoError(t, err)
	require.Len(t, portfolios.JSON200.Data, 1)
	require.True(t, portfolios.JSON200.Data[0].InvestmentAmount.Equal(holding.InvestmentAmount))
	require.True(t, portfolios.JSON200.Data[0].MarketValue.Equal(holding.MarketValue))

	// Sell part of it.
	half := decimal.NewFromInt(40)
	sold, err := c.CreateSellRequestWithResponse(ctx, nil, client.CreateSellRequestJSONRequestBody{
		CustomerId: customerID, Currency: client.ZMW, AssetId: holding.AssetId, SellPercentage: &half,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, sold.StatusCode(), string(sold.Body))
	require.Equal(t, client.RequestStatus("COMPLETED"), settled(sold.JSON201.Data.RequestId).Status)
	assets, err = c.ListAssetsWithResponse(ctx, &client.ListAssetsParams{CustomerId: &customerID})
	require.NoError(t, err)
	left := assets.JSON200.Data[0].Quantity
	require.True(t, left.LessThan(holding.Quantity) && left.IsPositive(), "%s of %s left", left, holding.Quantity)

	// A weekly plan runs when the sandbox clock moves a week.
	recurring, weekly := true, client.RequestSchedule("WEEKLY")
	plan, err := c.CreatePurchaseRequestWithResponse(ctx, nil, client.CreatePurchaseRequestJSONRequestBody{
		CustomerId: customerID, Currency: client.ZMW, InstrumentId: aapl.JSON200.Data.InstrumentId,
		PurchaseAmount: decimal.RequireFromString("250"), IsRecurring: &recurring, Schedule: &weekly,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, plan.StatusCode(), string(plan.Body))
	require.NotNil(t, plan.JSON201.Data.NextExecutionAt)
	days := int32(7)
	moved, err := c.AdvanceSandboxClockWithResponse(ctx, nil, client.AdvanceSandboxClockJSONRequestBody{Days: &days})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, moved.StatusCode(), string(moved.Body))
	require.Equal(t, int32(1), moved.JSON200.Data.ScheduledExecutions)
	require.Eventually(t, func() bool {
		got, err := c.GetRequestWithResponse(ctx, plan.JSON201.Data.RequestId, nil)
		require.NoError(t, err)
		return got.JSON200.Data.ExecutionCount == 1 && got.JSON200.Data.Status == "PENDING"
	}, 20*time.Second, 25*time.Millisecond)
	txs, err := c.ListTransactionsWithResponse(ctx, &client.ListTransactionsParams{CustomerId: &customerID})
	require.NoError(t, err)
	require.Len(t, txs.JSON200.Data, 3)
}
