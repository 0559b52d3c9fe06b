package demo_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/demo"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "demo") }

type bundle struct {
	env *apitest.Env
	svc demo.Services
}

func setup(t *testing.T) bundle {
	t.Helper()
	env := apitest.Start(t, apitest.Options{})
	a := env.App
	return bundle{env: env, svc: demo.Services{Investing: a.Investing, Trading: a.Trading, Wallet: a.Wallet, Banking: a.Banking}}
}

// get calls the API as the tenant (the response is validated against the
// spec) and decodes the JSON answer.
func get(t *testing.T, tn *apitest.Tenant, path string) map[string]any {
	t.Helper()
	res := tn.Do(t, http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, res.Status, "GET %s: %s", path, res.Body)
	return res.Map(t)
}

func TestFillShowsInEveryList(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})

	sum, err := demo.Fill(context.Background(), b.svc, tn.Org)
	require.NoError(t, err)

	// Investing: three customers, each holding what it bought less what it sold.
	customers := get(t, tn, "/v1/customers?sort=ASC")["data"].([]any)
	require.Len(t, customers, 3)
	require.Len(t, sum.InvestingCustomers, 3)
	require.Equal(t, "demo-0001", customers[0].(map[string]any)["referenceId"])
	holdings := func(customerID int64) map[string]float64 {
		out := map[string]float64{}
		for _, a := range get(t, tn, fmt.Sprintf("/v1/assets?customerId=%d", customerID))["data"].([]any) {
			a := a.(map[string]any)
			out[a["symbol"].(string)] = a["quantity"].(float64)
		}
		return out
	}
	jane := holdings(sum.InvestingCustomers[0])
	require.Len(t, jane, 2)
	require.Positive(t, jane["AAPL"])
	require.Positive(t, jane["MSFT"])
	chanda := holdings(sum.InvestingCustomers[2])
	require.Positive(t, chanda["V"])
	require.Zero(t, chanda["AMZN"], "sold in full")

	// History: every purchase and sell executed, with its transaction.
	require.Len(t, sum.Requests, 8)
	requests := get(t, tn, "/v1/requests?limit=100")["data"].([]any)
	require.Len(t, requests, 8)
	types := map[string]int{}
	for _, r := range requests {
		r := r.(map[string]any)
		require.Equal(t, "COMPLETED", r["status"], "%v", r)
		types[r["requestType"].(string)]++
	}
	require.Equal(t, map[string]int{"PURCHASE": 6, "SELL": 2}, types)
	require.Len(t, get(t, tn, "/v1/transactions?limit=100")["data"], 8)

	// Wallet: one counterparty with three customers.
	cps := get(t, tn, "/counterparty")
	require.EqualValues(t, 1, cps["total"])
	wallet := get(t, tn, "/counterparty/"+sum.Counterparty.String()+"/customers?ordering=login")
	require.EqualValues(t, 3, wallet["total"])
	require.Len(t, sum.WalletCustomers, 3)

	// Banking: a person and a corporation with its individuals, both ACTIVE customers.
	list := get(t, tn, "/customers?limit=10")["data"].([]any)
	require.Len(t, list, 2)
	byType := map[string]map[string]any{}
	for _, c := range list {
		c := c.(map[string]any)
		require.Equal(t, "ACTIVE", c["status"])
		byType[c["type"].(string)] = get(t, tn, "/customers/"+c["id"].(string))
	}
	require.Equal(t, "John", byType["INDIVIDUAL"]["individual"].(map[string]any)["first_name"])
	corp := byType["CORPORATION"]
	require.Equal(t, "Acme Corp", corp["corporation"].(map[string]any)["legal_name"])
	require.Len(t, corp["individuals"], 3)
	require.ElementsMatch(t, sum.BankingCustomers, []string{byType["INDIVIDUAL"]["id"].(string), corp["id"].(string)})
}

func TestFillRefusesAProductionOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.env.NewTenant(t, apitest.TenantOptions{})

	_, err := demo.Fill(context.Background(), b.svc, tn.Org)
	require.True(t, errcode.Is(err, errcode.Forbidden), "%v", err)
	require.Empty(t, get(t, tn, "/v1/customers")["data"])
	require.EqualValues(t, 0, get(t, tn, "/counterparty")["total"])
	require.Empty(t, get(t, tn, "/customers")["data"])
}

func TestFillKeepsToItsOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	filled := b.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	other := b.env.NewTenant(t, apitest.TenantOptions{Sandbox: true})

	_, err := demo.Fill(context.Background(), b.svc, filled.Org)
	require.NoError(t, err)
	require.Empty(t, get(t, other, "/v1/customers")["data"])
	require.EqualValues(t, 0, get(t, other, "/counterparty")["total"])
	require.Empty(t, get(t, other, "/customers")["data"])
}
