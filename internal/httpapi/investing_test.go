package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

func TestCreateCustomerCreatesAccountsAndPortfolios(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{InvestmentTypes: []string{"INTERNATIONAL_STOCKS", "BONDS"}})

	res := tn.Do(t, "POST", "/v1/customers", map[string]any{"firstName": "Jane", "lastName": "Banda", "referenceId": "crm-1"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	c := res.Map(t)
	require.Equal(t, float64(201), c["code"])
	require.Equal(t, "Created", c["message"])
	data := c["data"].(map[string]any)
	require.Equal(t, "ACTIVE", data["status"])
	require.Equal(t, "crm-1", data["referenceId"])
	id := int64(data["customerId"].(float64))

	accounts := items(t, tn.Do(t, "GET", path("/v1/accounts?customerId=%d", id), nil))
	require.Len(t, accounts, 2)
	types := map[string]float64{}
	for _, a := range accounts {
		require.Equal(t, "ACTIVE", a["status"])
		require.Equal(t, "USD", a["currency"])
		types[a["investmentType"].(string)] = a["accountId"].(float64)
	}
	require.Contains(t, types, "INTERNATIONAL_STOCKS")
	require.Contains(t, types, "BONDS")

	portfolios := items(t, tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", id), nil))
	require.Len(t, portfolios, 2)
	for _, p := range portfolios {
		require.Equal(t, types[p["investmentType"].(string)], p["accountId"], "each portfolio is linked to its account")
		require.Equal(t, float64(0), p["investmentAmount"])
		require.Equal(t, float64(0), p["marketValue"])
	}
}

func TestCustomerStatusCascades(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tn := b.tenant
	id := createCustomer(t, tn, customerOpts{})
	// A manual portfolio too: the cascade reaches it as well.
	require.Equal(t, http.StatusCreated, tn.Do(t, "POST", "/v1/portfolio", map[string]any{"customerId": id, "currency": "ZMW"}).Status)

	statuses := func() (accounts, portfolios []string) {
		for _, a := range items(t, tn.Do(t, "GET", path("/v1/accounts?customerId=%d", id), nil)) {
			accounts = append(accounts, a["status"].(string))
		}
		for _, p := range items(t, tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", id), nil)) {
			portfolios = append(portfolios, p["status"].(string))
		}
		return
	}

	res := tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "status": "SUSPENDED"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	a, p := statuses()
	require.Equal(t, []string{"SUSPENDED"}, a)
	require.Equal(t, []string{"SUSPENDED", "SUSPENDED"}, p)

	// ACTIVE does not cascade.
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "status": "ACTIVE"}).Status)
	a, p = statuses()
	require.Equal(t, []string{"SUSPENDED"}, a)
	require.Equal(t, []string{"SUSPENDED", "SUSPENDED"}, p)

	// Reactivate the account explicitly; its portfolio stays as it is.
	accountID := items(t, tn.Do(t, "GET", path("/v1/accounts?customerId=%d", id), nil))[0]["accountId"]
	res = tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accountID, "status": "ACTIVE"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	a, _ = statuses()
	require.Equal(t, []string{"ACTIVE"}, a)

	// CLOSED cascades and is permanent.
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "status": "CLOSED"}).Status)
	a, p = statuses()
	require.Equal(t, []string{"CLOSED"}, a)
	require.Equal(t, []string{"CLOSED", "CLOSED"}, p)
	res = tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "status": "ACTIVE"})
	require.Equal(t, http.StatusConflict, res.Status)
	require.Contains(t, res.Map(t)["message"], "CLOSED, which is permanent")
	res = tn.Do(t, "GET", path("/v1/customers/%d", id), nil)
	require.Equal(t, "CLOSED", res.Map(t)["data"].(map[string]any)["status"])
}

func TestUpdateCustomerFields(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := createCustomer(t, b.tenant, customerOpts{ReferenceID: "ref-a"})
	createCustomer(t, b.tenant, customerOpts{ReferenceID: "ref-b"})

	res := b.tenant.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "lastName": "Mwale"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	data := res.Map(t)["data"].(map[string]any)
	require.Equal(t, "Jane", data["firstName"])
	require.Equal(t, "Mwale", data["lastName"])
	require.Equal(t, "ref-a", data["referenceId"])

	res = b.tenant.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "referenceId": "ref-b"})
	require.Equal(t, http.StatusConflict, res.Status)
	require.Contains(t, res.Map(t)["message"], `"ref-b"`)

	res = b.tenant.Do(t, "POST", "/v1/customers", map[string]any{"firstName": "X", "lastName": "Y", "referenceId": "ref-a"})
	require.Equal(t, http.StatusConflict, res.Status)
	// Nothing was half-written: still two customers.
	var list struct {
		Meta struct {
			TotalCount int64 `json:"totalCount"`
		} `json:"meta"`
	}
	b.tenant.Do(t, "GET", "/v1/customers", nil).JSON(t, &list)
	require.Equal(t, int64(2), list.Meta.TotalCount)

	res = b.tenant.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": 999999999, "lastName": "X"})
	require.Equal(t, http.StatusNotFound, res.Status)
}

func TestOneAccountPerInvestmentType(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{InvestmentTypes: []string{"INTERNATIONAL_STOCKS", "CRYPTO"}})
	id := createCustomer(t, tn, customerOpts{})

	// The customer already has both accounts.
	res := tn.Do(t, "POST", "/v1/accounts", map[string]any{"customerId": id, "currency": "ZMW", "investmentTypes": "CRYPTO"})
	require.Equal(t, http.StatusConflict, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "one account per investment type")
	require.Len(t, items(t, tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", id), nil)), 2, "no portfolio was created for the refused account")

	// A type the organization does not offer.
	res = tn.Do(t, "POST", "/v1/accounts", map[string]any{"customerId": id, "currency": "USD", "investmentTypes": "BONDS"})
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
	require.Contains(t, res.Map(t)["message"], "BONDS is not available")
}

func TestAccountLifecycle(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{InvestmentTypes: []string{"INTERNATIONAL_STOCKS", "COMMODITY"}})
	res := tn.Do(t, "POST", "/v1/customers", map[string]any{"firstName": "A", "lastName": "B"})
	require.Equal(t, http.StatusCreated, res.Status)
	id := int64(res.Map(t)["data"].(map[string]any)["customerId"].(float64))
	accounts := items(t, tn.Do(t, "GET", path("/v1/accounts?customerId=%d", id), nil))
	require.Len(t, accounts, 2)
	accountID := accounts[0]["accountId"]

	res = tn.Do(t, "GET", path("/v1/accounts/%v", accountID), nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, accountID, res.Map(t)["data"].(map[string]any)["accountId"])

	// Currency change.
	res = tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accountID, "currency": "EUR"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "EUR", res.Map(t)["data"].(map[string]any)["currency"])

	// SUSPENDED cascades to the account's portfolio only.
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accountID, "status": "SUSPENDED"}).Status)
	for _, p := range items(t, tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", id), nil)) {
		if p["accountId"] == accountID {
			require.Equal(t, "SUSPENDED", p["status"])
		} else {
			require.Equal(t, "ACTIVE", p["status"])
		}
	}

	// An account cannot be ACTIVE under a customer that is not.
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "status": "SUSPENDED"}).Status)
	res = tn.Do(t, "PUT", "/v1/accounts", map[string]any{"accountId": accountID, "status": "ACTIVE"})
	require.Equal(t, http.StatusConflict, res.Status)
	require.Contains(t, res.Map(t)["message"], "reactivate the customer first")

	// Nor can a portfolio.
	portfolioID := items(t, tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", id), nil))[0]["portfolioId"]
	res = tn.Do(t, "PUT", "/v1/portfolio", map[string]any{"portfolioId": portfolioID, "status": "ACTIVE"})
	require.Equal(t, http.StatusConflict, res.Status)
}

func TestCreateAccountCreatesItsPortfolio(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{
		InvestmentTypes:        []string{"INTERNATIONAL_STOCKS", "BONDS"},
		DefaultInvestmentTypes: []string{"INTERNATIONAL_STOCKS"},
	})
	id := createCustomer(t, tn, customerOpts{})
	require.Len(t, items(t, tn.Do(t, "GET", path("/v1/accounts?customerId=%d", id), nil)), 1, "only the default type gets an account at creation")

	res := tn.Do(t, "POST", "/v1/accounts", map[string]any{"customerId": id, "currency": "ZMW", "investmentTypes": "BONDS"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	a := res.Map(t)["data"].(map[string]any)
	require.Equal(t, "BONDS", a["investmentType"])
	require.Equal(t, "ZMW", a["currency"])
	require.Equal(t, "ACTIVE", a["status"])

	var linked map[string]any
	for _, p := range items(t, tn.Do(t, "GET", path("/v1/portfolio?customerId=%d", id), nil)) {
		if p["accountId"] == a["accountId"] {
			linked = p
		}
	}
	require.NotNil(t, linked, "the new account has a portfolio")
	require.Equal(t, "BONDS", linked["investmentType"])
	require.Equal(t, "ZMW", linked["currency"])

	// The second BONDS account is refused, by the service and the database.
	res = tn.Do(t, "POST", "/v1/accounts", map[string]any{"customerId": id, "currency": "USD", "investmentTypes": "BONDS"})
	require.Equal(t, http.StatusConflict, res.Status)

	// An account of a suspended customer starts suspended; a closed customer gets none.
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": id, "status": "CLOSED"}).Status)
	other := createCustomer(t, tn, customerOpts{})
	res = tn.Do(t, "POST", "/v1/accounts", map[string]any{"customerId": id, "currency": "USD", "investmentTypes": "BONDS"})
	require.Equal(t, http.StatusConflict, res.Status)
	require.Contains(t, res.Map(t)["message"], "CLOSED")
	require.Equal(t, http.StatusOK, tn.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": other, "status": "SUSPENDED"}).Status)
	res = tn.Do(t, "POST", "/v1/accounts", map[string]any{"customerId": other, "currency": "USD", "investmentTypes": "BONDS"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	require.Equal(t, "SUSPENDED", res.Map(t)["data"].(map[string]any)["status"])

	res = tn.Do(t, "POST", "/v1/accounts", map[string]any{"customerId": 999999999, "currency": "USD", "investmentTypes": "BONDS"})
	require.Equal(t, http.StatusNotFound, res.Status)
}

func TestManualPortfolio(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := createCustomer(t, b.tenant, customerOpts{})
	res := b.tenant.Do(t, "POST", "/v1/portfolio", map[string]any{"customerId": id, "currency": "ZMW"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	p := res.Map(t)["data"].(map[string]any)
	require.NotContains(t, p, "accountId")
	require.NotContains(t, p, "investmentType")
	require.Equal(t, "ACTIVE", p["status"])

	res = b.tenant.Do(t, "PUT", "/v1/portfolio", map[string]any{"portfolioId": p["portfolioId"], "currency": "EUR", "status": "SUSPENDED"})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	got := b.tenant.Do(t, "GET", path("/v1/portfolio/%v", p["portfolioId"]), nil).Map(t)["data"].(map[string]any)
	require.Equal(t, "EUR", got["currency"])
	require.Equal(t, "SUSPENDED", got["status"])

	require.Equal(t, http.StatusOK, b.tenant.Do(t, "PUT", "/v1/portfolio", map[string]any{"portfolioId": p["portfolioId"], "status": "CLOSED"}).Status)
	res = b.tenant.Do(t, "PUT", "/v1/portfolio", map[string]any{"portfolioId": p["portfolioId"], "status": "ACTIVE"})
	require.Equal(t, http.StatusConflict, res.Status)

	res = b.tenant.Do(t, "GET", "/v1/portfolio?customerId=999999999", nil)
	require.Equal(t, http.StatusNotFound, res.Status)
}

func TestInvestmentTypes(t *testing.T) {
	t.Parallel()
	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{InvestmentTypes: []string{"INTERNATIONAL_STOCKS", "CRYPTO"}})
	list := items(t, tn.Do(t, "GET", "/v1/investments", nil))
	require.Len(t, list, 6)
	available := map[string]bool{}
	for _, i := range list {
		available[i["investmentType"].(string)] = i["isAvailable"].(bool)
	}
	require.Equal(t, map[string]bool{
		"INTERNATIONAL_STOCKS": true, "COMMODITY": false, "BONDS": false,
		"LOCAL_STOCKS": false, "FOREIGN_EXCHANGE": false, "CRYPTO": true,
	}, available)

	res := tn.Do(t, "GET", "/v1/investments/6", nil)
	require.Equal(t, http.StatusOK, res.Status)
	require.Equal(t, "CRYPTO", res.Map(t)["data"].(map[string]any)["investmentType"])
	require.Equal(t, http.StatusNotFound, tn.Do(t, "GET", "/v1/investments/7", nil).Status)

	page := items(t, tn.Do(t, "GET", "/v1/investments?limit=2&page=1&sort=DESC", nil))
	require.Equal(t, []any{float64(4), float64(3)}, []any{page[0]["investmentId"], page[1]["investmentId"]})
}
