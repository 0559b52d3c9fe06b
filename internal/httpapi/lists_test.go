package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

type listPage struct {
	Data []struct {
		CustomerID  int64  `json:"customerId"`
		ReferenceID string `json:"referenceId"`
		Status      string `json:"status"`
	} `json:"data"`
	Meta struct {
		PreviousPage *int32 `json:"previousPage"` // a pointer, to tell 0 from absent or null
		CurrentPage  int32  `json:"currentPage"`
		NextPage     *int32 `json:"nextPage"`
		Limit        int32  `json:"limit"`
		CurrentCount int32  `json:"currentCount"`
		TotalCount   int64  `json:"totalCount"`
		Sort         string `json:"sort"`
	} `json:"meta"`
}

func ptr(v int32) *int32 { return &v }

func TestCustomerListPaginatesAndSorts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var ids []int64
	for i := range 5 {
		ids = append(ids, createCustomer(t, b.tenant, customerOpts{ReferenceID: path("ref-%d", i)}))
	}
	// Another tenant's customers never count.
	createCustomer(t, b.env.NewTenant(t, apitest.TenantOptions{}), customerOpts{})

	get := func(q string) listPage {
		var p listPage
		res := b.tenant.Do(t, "GET", "/v1/customers"+q, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.JSON(t, &p)
		return p
	}
	idsOf := func(p listPage) []int64 {
		var out []int64
		for _, d := range p.Data {
			out = append(out, d.CustomerID)
		}
		return out
	}

	p := get("")
	require.Equal(t, ids, idsOf(p))
	require.Equal(t, int32(100), p.Meta.Limit)
	require.Equal(t, int64(5), p.Meta.TotalCount)
	require.Equal(t, "ASC", p.Meta.Sort)
	require.Equal(t, ptr(0), p.Meta.PreviousPage, "0, not null, where there is none")
	require.Equal(t, ptr(0), p.Meta.NextPage, "0, not null, where there is none")

	p = get("?limit=2")
	require.Equal(t, ids[0:2], idsOf(p))
	require.Equal(t, ptr(0), p.Meta.PreviousPage, "0, not null, where there is none")
	require.Equal(t, ptr(1), p.Meta.NextPage)
	require.Equal(t, int32(2), p.Meta.CurrentCount)
	require.Equal(t, int64(5), p.Meta.TotalCount)

	p = get("?limit=2&page=1")
	require.Equal(t, ids[2:4], idsOf(p))
	require.Equal(t, ptr(0), p.Meta.PreviousPage)
	require.Equal(t, ptr(2), p.Meta.NextPage)

	p = get("?limit=2&page=2")
	require.Equal(t, ids[4:5], idsOf(p))
	require.Equal(t, ptr(1), p.Meta.PreviousPage)
	require.Equal(t, ptr(0), p.Meta.NextPage, "0, not null, where there is none")
	require.Equal(t, int64(5), p.Meta.TotalCount)

	p = get("?limit=2&page=7")
	require.Empty(t, p.Data)
	require.Equal(t, int64(5), p.Meta.TotalCount)
	require.Equal(t, ptr(0), p.Meta.NextPage, "0, not null, where there is none")

	p = get("?sort=DESC&limit=3")
	require.Equal(t, []int64{ids[4], ids[3], ids[2]}, idsOf(p))
	require.Equal(t, "DESC", p.Meta.Sort)

	// Filters.
	require.Equal(t, http.StatusOK, b.tenant.Do(t, "PUT", "/v1/customers", map[string]any{"customerId": ids[1], "status": "SUSPENDED"}).Status)
	p = get("?status=SUSPENDED")
	require.Equal(t, []int64{ids[1]}, idsOf(p))
	require.Equal(t, int64(1), p.Meta.TotalCount)
	p = get("?status=ACTIVE")
	require.Equal(t, []int64{ids[0], ids[2], ids[3], ids[4]}, idsOf(p))
	p = get("?referenceId=ref-3")
	require.Equal(t, []int64{ids[3]}, idsOf(p))
	p = get("?referenceId=nope")
	require.Empty(t, p.Data)
}

func TestAccountListFiltersByCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c1 := createCustomer(t, b.tenant, customerOpts{})
	c2 := createCustomer(t, b.tenant, customerOpts{})
	all := items(t, b.tenant.Do(t, "GET", "/v1/accounts", nil))
	require.Len(t, all, 2)
	one := items(t, b.tenant.Do(t, "GET", path("/v1/accounts?customerId=%d", c2), nil))
	require.Len(t, one, 1)
	require.Equal(t, float64(c2), one[0]["customerId"])
	_ = c1
	require.Equal(t, http.StatusNotFound, b.tenant.Do(t, "GET", "/v1/accounts?customerId=999999999", nil).Status)
}

// TestTenantIsolation: another organization's ids answer 404 everywhere,
// and its rows never appear in lists.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	owner := b.tenant
	intruder := b.env.NewTenant(t, apitest.TenantOptions{})

	cid := createCustomer(t, owner, customerOpts{ReferenceID: "shared-ref"})
	accountID := items(t, owner.Do(t, "GET", path("/v1/accounts?customerId=%d", cid), nil))[0]["accountId"]
	portfolioID := items(t, owner.Do(t, "GET", path("/v1/portfolio?customerId=%d", cid), nil))[0]["portfolioId"]

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", path("/v1/customers/%d", cid), nil},
		{"PUT", "/v1/customers", map[string]any{"customerId": cid, "status": "CLOSED"}},
		{"GET", path("/v1/accounts/%v", accountID), nil},
		{"GET", path("/v1/accounts?customerId=%d", cid), nil},
		{"PUT", "/v1/accounts", map[string]any{"accountId": accountID, "status": "CLOSED"}},
		{"POST", "/v1/accounts", map[string]any{"customerId": cid, "currency": "USD", "investmentTypes": "INTERNATIONAL_STOCKS"}},
		{"GET", path("/v1/portfolio/%v", portfolioID), nil},
		{"GET", path("/v1/portfolio?customerId=%d", cid), nil},
		{"PUT", "/v1/portfolio", map[string]any{"portfolioId": portfolioID, "status": "CLOSED"}},
		{"POST", "/v1/portfolio", map[string]any{"customerId": cid, "currency": "USD"}},
	} {
		res := intruder.Do(t, tc.method, tc.path, tc.body)
		require.Equal(t, http.StatusNotFound, res.Status, "%s %s: %s", tc.method, tc.path, res.Body)
	}
	require.Empty(t, items(t, intruder.Do(t, "GET", "/v1/customers", nil)))
	require.Empty(t, items(t, intruder.Do(t, "GET", "/v1/accounts", nil)))
	require.Empty(t, items(t, intruder.Do(t, "GET", "/v1/customers?referenceId=shared-ref", nil)))
	// The same referenceId is free in another organization.
	createCustomer(t, intruder, customerOpts{ReferenceID: "shared-ref"})

	// Nothing of the owner's changed.
	res := owner.Do(t, "GET", path("/v1/customers/%d", cid), nil)
	require.Equal(t, "ACTIVE", res.Map(t)["data"].(map[string]any)["status"])
	require.Len(t, items(t, owner.Do(t, "GET", path("/v1/portfolio?customerId=%d", cid), nil)), 1)
}

// TestNextPageOnAnExactMultipleOfTheLimit: when the total is exactly k
// pages of limit, the k-th page (page k-1) is the last: nextPage 0.
func TestNextPageOnAnExactMultipleOfTheLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for range 4 {
		createCustomer(t, b.tenant, customerOpts{})
	}
	for _, tc := range []struct {
		query          string
		count          int
		previous, next int32
	}{
		{"?limit=2", 2, 0, 1},
		{"?limit=2&page=1", 2, 0, 0},
		{"?limit=4", 4, 0, 0},
		{"?limit=1&page=3", 1, 2, 0},
		{"?limit=1&page=2", 1, 1, 3},
	} {
		var p listPage
		res := b.tenant.Do(t, "GET", "/v1/customers"+tc.query, nil)
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", tc.query, res.Body)
		res.JSON(t, &p)
		require.Len(t, p.Data, tc.count, tc.query)
		require.Equal(t, int64(4), p.Meta.TotalCount, tc.query)
		require.Equal(t, ptr(tc.previous), p.Meta.PreviousPage, tc.query)
		require.Equal(t, ptr(tc.next), p.Meta.NextPage, "%s: the last page has no next", tc.query)
	}
}
