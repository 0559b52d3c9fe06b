package store_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// TestListTotalsExact: every investing list's total (each filter and their
// combinations, of two organizations) equals the number of its rows after
// creates, status changes, deletes and concurrent creates. On PostgreSQL
// the totals come from list_counts, which must also hold, key by key,
// exactly what a recount from the rows gives; SQLite counts.
func TestListTotalsExact(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		var hs []holding
		for _, org := range []int64{f.org, f.org, f.org, f.other} {
			hs = append(hs, f.holding(t, org))
		}
		plain := f.customer(t, f.org, customerOpts{Status: investing.Suspended})
		f.customer(t, f.other, customerOpts{})
		// the create's one statement, which counts its rows itself (on
		// PostgreSQL: its rows skip the insert triggers), in both organizations
		for i, org := range []int64{f.org, f.other, f.org} {
			f.customerWithAccounts(t, org, investing.Suspended, t0.Add(time.Duration(i)*time.Hour))
		}
		// a statement of several rows behind the repository's back: the
		// insert triggers count each row once
		require.NoError(t, f.exec(`INSERT INTO customers (organization_id, first_name, last_name, status, created_at, updated_at)
SELECT organization_id, 'Copy', last_name, status, created_at, updated_at FROM customers WHERE organization_id = ?`, f.org))
		require.NoError(t, f.exec(`INSERT INTO accounts (organization_id, customer_id, investment_type, currency, status, created_at, updated_at)
SELECT organization_id, id, 'BONDS', 'USD', 'ACTIVE', created_at, updated_at FROM customers WHERE first_name = 'Copy'`))
		// portfolios without an account (kept counts) beside those of the accounts (counted through them)
		for _, h := range []holding{hs[0], hs[0], hs[1], hs[3]} {
			f.portfolio(t, h.c, portfolioOpts{})
		}
		require.NoError(t, f.exec(`INSERT INTO portfolios (organization_id, customer_id, currency, status, created_at, updated_at)
SELECT organization_id, customer_id, 'USD', 'ACTIVE', created_at, updated_at FROM portfolios WHERE account_id IS NOT NULL`))
		for i, h := range hs {
			// through the repository: the create's statement counts its request itself
			amount := decimal.RequireFromString("25")
			for k, st := range []trading.RequestStatus{trading.Pending, trading.Completed} {
				at := t0.Add(time.Duration(i+2*k) * time.Hour) // buckets of their own
				q := trading.Request{OrganizationID: h.c.OrganizationID, CustomerID: h.c.ID, AccountID: h.a.ID, PortfolioID: h.p.ID,
					Type: trading.Purchase, Status: st, Currency: investing.USD, InstrumentID: 1, Symbol: "AAPL", PurchaseAmount: &amount,
					Schedule: trading.Once, CreatedAt: at, UpdatedAt: at}
				require.NoError(t, f.s.Trading().CreateRequest(f.ctx, &q))
			}
			for j, r := range []struct{ typ, status string }{{"PURCHASE", "PENDING"}, {"PURCHASE", "COMPLETED"}, {"SELL", "PENDING"}} {
				require.NoError(t, f.insertRequest(h, r.typ, r.status))
				if r.status == "COMPLETED" {
					id := f.lastID(t, "requests")
					for cycle := 1; cycle <= 1+(i+j)%2; cycle++ {
						require.NoError(t, f.insertTransaction(h, id, cycle))
					}
				}
			}
		}
		f.requireTotals(t, hs)

		// status changes, through the repository and behind its back
		c := hs[0].c
		c.Status = investing.Closed
		require.NoError(t, f.repo.SaveCustomer(f.ctx, &c))
		require.NoError(t, f.exec(`UPDATE requests SET status = 'CANCELED' WHERE customer_id = ? AND request_type = 'SELL'`, hs[1].c.ID))
		require.NoError(t, f.exec(`UPDATE requests SET status = 'COMPLETED', executions = 1 WHERE organization_id = ? AND status = 'PENDING' AND request_type = 'PURCHASE'`, f.other))
		require.NoError(t, f.exec(`UPDATE requests SET executions = executions + 1`)) // no key column: no change
		require.NoError(t, f.exec(`UPDATE portfolios SET customer_id = ? WHERE customer_id = ? AND account_id IS NULL`, hs[2].c.ID, hs[1].c.ID))
		require.NoError(t, f.exec(`UPDATE portfolios SET status = 'SUSPENDED' WHERE customer_id = ?`, hs[0].c.ID)) // no key column
		f.requireTotals(t, hs)

		// deletes (the API deletes none of these rows; the counts follow anyway)
		require.NoError(t, f.exec(`DELETE FROM transactions WHERE customer_id = ? AND cycle = 2`, hs[1].c.ID))
		require.NoError(t, f.exec(`DELETE FROM customers WHERE id = ?`, plain.ID))
		require.NoError(t, f.exec(`DELETE FROM portfolios WHERE id = (SELECT min(id) FROM portfolios WHERE customer_id = ? AND account_id IS NULL)`, hs[0].c.ID))
		f.requireTotals(t, hs)

		// concurrent creates in one organization
		var wg sync.WaitGroup
		errs := make(chan error, 80)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					st := []investing.Status{investing.Active, investing.Suspended}[(w+i)%2]
					if i%3 == 0 {
						errs <- f.createCustomerWithAccounts(f.org, st, t0.Add(time.Duration(w)*time.Hour))
						continue
					}
					cu := investing.Customer{OrganizationID: f.org, FirstName: "Con", LastName: "Current", Status: st, CreatedAt: t0, UpdatedAt: t0}
					errs <- f.repo.WithTx(f.ctx, func(ctx context.Context) error {
						if err := f.repo.CreateCustomer(ctx, &cu); err != nil {
							return err
						}
						return f.repo.CreateAccounts(ctx, []*investing.Account{{OrganizationID: f.org, CustomerID: cu.ID, InvestmentType: investing.InternationalStocks,
							Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}})
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		f.requireTotals(t, hs)
	})
}

// createCustomerWithAccounts creates a customer with two accounts and
// their portfolios as POST /v1/customers does (on PostgreSQL, one
// statement that also writes their list counts), the customer created at
// at and its accounts in the next hour (so that each row's own hour is
// the bucket it is counted in).
func (f fixture) createCustomerWithAccounts(orgID int64, st investing.Status, at time.Time) error {
	c := investing.Customer{OrganizationID: orgID, FirstName: "One", LastName: "Statement", Status: st, CreatedAt: at, UpdatedAt: at}
	next := at.Add(90 * time.Minute)
	var as []*investing.Account
	var ps []*investing.Portfolio
	for _, typ := range []investing.InvestmentType{investing.InternationalStocks, investing.LocalStocks} {
		as = append(as, &investing.Account{OrganizationID: orgID, InvestmentType: typ, Currency: investing.USD, Status: investing.Active, CreatedAt: next, UpdatedAt: next})
		ps = append(ps, &investing.Portfolio{OrganizationID: orgID, InvestmentType: &typ, Currency: investing.USD, Status: investing.Active, CreatedAt: next, UpdatedAt: next})
	}
	return f.repo.WithTx(f.ctx, func(ctx context.Context) error { return f.repo.CreateCustomerWithAccounts(ctx, &c, as, ps) })
}

func (f fixture) customerWithAccounts(t *testing.T, orgID int64, st investing.Status, at time.Time) {
	t.Helper()
	require.NoError(t, f.createCustomerWithAccounts(orgID, st, at))
}

func (f fixture) lastID(t *testing.T, table string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, f.s.DB.WithContext(f.ctx).Raw(`SELECT max(id) FROM `+table).Scan(&id).Error)
	return id
}

func (f fixture) insertRequest(h holding, typ, status string) error {
	amount, asset, sell := any("10"), any(nil), any(nil)
	if typ == "SELL" {
		amount, asset, sell = nil, h.x.ID, "5"
	}
	return f.exec(`INSERT INTO requests (organization_id, customer_id, account_id, portfolio_id, request_type, status, currency, instrument_id, symbol,
 asset_id, purchase_amount, sell_amount, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'USD', 1, 'AAPL', ?, ?, ?, ?, ?)`,
		h.c.OrganizationID, h.c.ID, h.a.ID, h.p.ID, typ, status, asset, amount, sell, t0, t0)
}

func (f fixture) insertTransaction(h holding, requestID int64, cycle int) error {
	return f.exec(`INSERT INTO transactions (organization_id, customer_id, account_id, portfolio_id, request_id, instrument_id, symbol, transaction_type,
 status, currency, amount, fx_rate, price, quantity, value, uninvested, cycle, executed_at, created_at, updated_at)
 VALUES (?, ?, ?, ?, ?, 1, 'AAPL', 'PURCHASE', 'COMPLETED', 'USD', 10, 1, 1, 10, 10, 0, ?, ?, ?, ?)`,
		h.c.OrganizationID, h.c.ID, h.a.ID, h.p.ID, requestID, cycle, t0, t0, t0)
}

// requireTotals compares each list's total, for every filter the API
// offers and their combinations (values of both organizations, so that
// mismatched ones give 0), with a count of the rows.
func (f fixture) requireTotals(t *testing.T, hs []holding) {
	t.Helper()
	tr := f.s.Trading()
	count := func(table string, orgID int64, conds map[string]any) int64 {
		var n int64
		q := f.s.DB.WithContext(f.ctx).Table(table).Where("organization_id = ?", orgID)
		for col, v := range conds {
			q = q.Where(col+" = ?", v)
		}
		require.NoError(t, q.Count(&n).Error)
		return n
	}
	page := investing.PageRequest{Limit: 1} // a full page: its total is never the page's own length
	customers := []*int64{nil}
	accounts := []*int64{nil}
	portfolios := []*int64{nil}
	var requests []*int64
	requests = append(requests, nil)
	for _, h := range hs {
		customers, accounts, portfolios = append(customers, &h.c.ID), append(accounts, &h.a.ID), append(portfolios, &h.p.ID)
	}
	var ids []int64
	require.NoError(t, f.s.DB.WithContext(f.ctx).Raw(`SELECT id FROM requests ORDER BY id`).Scan(&ids).Error)
	for i := range ids {
		requests = append(requests, &ids[i])
	}
	set := func(m map[string]any, col string, v *int64) {
		if v != nil {
			m[col] = *v
		}
	}
	for _, org := range []int64{f.org, f.other} {
		for _, st := range []*investing.Status{nil, ptr(investing.Active), ptr(investing.Suspended), ptr(investing.Closed)} {
			got, err := f.repo.ListCustomers(f.ctx, org, investing.CustomerFilter{Status: st}, page)
			require.NoError(t, err)
			conds := map[string]any{}
			if st != nil {
				conds["status"] = string(*st)
			}
			require.Equal(t, count("customers", org, conds), got.Total, "customers org=%d %v", org, conds)
		}
		for _, c := range customers {
			got, err := f.repo.ListAccounts(f.ctx, org, c, page)
			require.NoError(t, err)
			conds := map[string]any{}
			set(conds, "customer_id", c)
			require.Equal(t, count("accounts", org, conds), got.Total, "accounts org=%d %v", org, conds)
			if c != nil {
				got, err := f.repo.ListPortfolios(f.ctx, org, *c, page)
				require.NoError(t, err)
				require.Equal(t, count("portfolios", org, conds), got.Total, "portfolios org=%d %v", org, conds)
			}
			for _, st := range []*trading.RequestStatus{nil, ptr(trading.Pending), ptr(trading.Completed), ptr(trading.Canceled), ptr(trading.Failed)} {
				for _, typ := range []*trading.RequestType{nil, ptr(trading.Purchase), ptr(trading.Sell)} {
					got, err := tr.ListRequests(f.ctx, org, trading.RequestFilter{CustomerID: c, Status: st, Type: typ}, page)
					require.NoError(t, err)
					conds := map[string]any{}
					set(conds, "customer_id", c)
					if st != nil {
						conds["status"] = string(*st)
					}
					if typ != nil {
						conds["request_type"] = string(*typ)
					}
					require.Equal(t, count("requests", org, conds), got.Total, "requests org=%d %v", org, conds)
				}
			}
			for _, a := range accounts {
				for _, p := range portfolios {
					got, err := tr.ListAssets(f.ctx, org, trading.AssetFilter{CustomerID: c, AccountID: a, PortfolioID: p}, page)
					require.NoError(t, err)
					conds := map[string]any{}
					set(conds, "customer_id", c)
					set(conds, "account_id", a)
					set(conds, "portfolio_id", p)
					require.Equal(t, count("assets", org, conds), got.Total, "assets org=%d %v", org, conds)
				}
			}
			for _, r := range requests {
				got, err := tr.ListTransactions(f.ctx, org, trading.TransactionFilter{CustomerID: c, RequestID: r}, page)
				require.NoError(t, err)
				conds := map[string]any{}
				set(conds, "customer_id", c)
				set(conds, "request_id", r)
				require.Equal(t, count("transactions", org, conds), got.Total, "transactions org=%d %v", org, conds)
			}
		}
		if f.s.Dialect == store.Postgres {
			f.requireKeptCounts(t, org)
		}
	}
}

// requireKeptCounts: list_counts of the organization, summed over slots,
// is what a recount of its rows gives, key by key (no key missing, none
// extra, none off).
func (f fixture) requireKeptCounts(t *testing.T, orgID int64) {
	t.Helper()
	type row struct {
		List, Key string
		N         int64
	}
	var kept, recount []row
	require.NoError(t, f.s.DB.WithContext(f.ctx).Raw(`SELECT list, key, sum(n) AS n FROM list_counts WHERE organization_id = ?
 GROUP BY list, key HAVING sum(n) <> 0 ORDER BY list, key`, orgID).Scan(&kept).Error)
	q := ""
	for _, l := range []struct{ table, dims string }{
		{"accounts", "VARIADIC ARRAY[]::text[]"},
		{"assets", "'customer_id=' || t.customer_id, 'account_id=' || t.account_id, 'portfolio_id=' || t.portfolio_id"},
		{"transactions", "'customer_id=' || t.customer_id, 'request_id=' || t.request_id"},
	} {
		if q != "" {
			q += " UNION ALL "
		}
		q += fmt.Sprintf(`SELECT '%s' AS list, k AS key, count(*) AS n FROM %s t, list_count_keys(%s) k WHERE t.organization_id = @org GROUP BY k`, l.table, l.table, l.dims)
	}
	// the customers keep only their finest key (00028): status
	q += ` UNION ALL SELECT 'customers', 'status=' || status, count(*) FROM customers WHERE organization_id = @org GROUP BY 2`
	// the requests keep only their finest keys (00026): (customer, status, type) and (status, type)
	q += ` UNION ALL SELECT 'requests', k, count(*) FROM requests t, LATERAL (VALUES ('customer_id=' || customer_id || '&status=' || status || '&request_type=' || request_type),
 ('status=' || status || '&request_type=' || request_type)) kk(k) WHERE t.organization_id = @org GROUP BY k`
	// a customer's portfolios without an account (those of its accounts are counted through them)
	q += ` UNION ALL SELECT 'standalone_portfolios', 'customer_id=' || customer_id, count(*) FROM portfolios WHERE organization_id = @org AND account_id IS NULL GROUP BY 2`
	require.NoError(t, f.s.DB.WithContext(f.ctx).Raw(`SELECT * FROM (`+q+`) x ORDER BY list, key`, map[string]any{"org": orgID}).Scan(&recount).Error)
	require.NotEmpty(t, recount)
	require.Equal(t, recount, kept)

	// the hourly buckets of the organization-wide keys, likewise
	type bucket struct {
		List, Key, Bucket string
		N                 int64
	}
	var keptB, recountB []bucket
	require.NoError(t, f.s.DB.WithContext(f.ctx).Raw(`SELECT list, key, CAST(bucket AS text) AS bucket, sum(n) AS n FROM list_buckets WHERE organization_id = ?
 GROUP BY list, key, bucket HAVING sum(n) <> 0 ORDER BY list, key, bucket`, orgID).Scan(&keptB).Error)
	q = ""
	for _, l := range []struct{ table, dims string }{
		{"accounts", "VARIADIC ARRAY[]::text[]"},
		{"assets", "VARIADIC ARRAY[]::text[]"},
		{"transactions", "VARIADIC ARRAY[]::text[]"},
	} {
		if q != "" {
			q += " UNION ALL "
		}
		q += fmt.Sprintf(`SELECT '%s' AS list, k AS key, CAST(date_bin('1 hour', t.created_at, '2000-01-01 00:00:00+00') AS text) AS bucket, count(*) AS n
 FROM %s t, list_count_keys(%s) k WHERE t.organization_id = @org GROUP BY k, 3`, l.table, l.table, l.dims)
	}
	// the customers' and the requests' one bucketed key each: the finest, status (00028) and (status, type) (00026)
	q += ` UNION ALL SELECT 'customers', 'status=' || status, CAST(date_bin('1 hour', created_at, '2000-01-01 00:00:00+00') AS text), count(*)
 FROM customers WHERE organization_id = @org GROUP BY 2, 3`
	// the requests' one bucketed key: the finest, (status, type) (00026)
	q += ` UNION ALL SELECT 'requests', 'status=' || status || '&request_type=' || request_type, CAST(date_bin('1 hour', created_at, '2000-01-01 00:00:00+00') AS text), count(*)
 FROM requests WHERE organization_id = @org GROUP BY 2, 3`
	require.NoError(t, f.s.DB.WithContext(f.ctx).Raw(`SELECT * FROM (`+q+`) x ORDER BY list, key, bucket`, map[string]any{"org": orgID}).Scan(&recountB).Error)
	require.NotEmpty(t, recountB)
	require.Equal(t, recountB, keptB)
}

// TestKeptKeysCoverEveryValue: the customers' and the requests' kept
// totals are sums over investing.Statuses (00028), trading.RequestStatuses
// and trading.RequestTypes (00026 and 00028 keep only the finest keys), so
// those must be every value the database allows: a status it accepts and
// the lists leave out would be missing from every total that does not
// filter on it.
func TestKeptKeysCoverEveryValue(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	// allowed: the values of the one CHECK of the table's (or domain's)
	// constraints that is "column = ANY (ARRAY[…])" and nothing else
	allowed := func(owner, column string) []string {
		var all, defs []string
		require.NoError(t, s.DB.WithContext(t.Context()).Raw(`SELECT pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'c' AND (conrelid = to_regclass(@o) OR contypid = to_regtype(@o))`, map[string]any{"o": owner}).Scan(&all).Error)
		only := regexp.MustCompile(`^CHECK \(+` + column + ` = ANY \(ARRAY\[[^\]]*\]\)\)+$`)
		for _, d := range all {
			if only.MatchString(d) {
				defs = append(defs, d)
			}
		}
		require.Len(t, defs, 1, "one CHECK of %s lists the values of %s: %q", owner, column, all)
		var values []string
		for _, m := range regexp.MustCompile(`'([^']*)'::text`).FindAllStringSubmatch(defs[0], -1) {
			values = append(values, m[1])
		}
		slices.Sort(values)
		return values
	}
	sorted := func(vs []string) []string { slices.Sort(vs); return vs }
	var customer, status, typ []string
	for _, v := range investing.Statuses {
		customer = append(customer, string(v))
	}
	for _, v := range trading.RequestStatuses {
		status = append(status, string(v))
	}
	for _, v := range trading.RequestTypes {
		typ = append(typ, string(v))
	}
	columnType := func(table, column string) string {
		var typ string
		require.NoError(t, s.DB.WithContext(t.Context()).Raw(`SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = to_regclass(?) AND attname = ?`, table, column).Scan(&typ).Error)
		return typ
	}
	// each column's type is the domain whose CHECK is read (00022, 00030)
	require.Equal(t, "investing_status", columnType("customers", "status"))
	require.Equal(t, "trade_status", columnType("requests", "status"))
	require.Equal(t, "trade_type", columnType("requests", "request_type"))
	require.Equal(t, allowed("investing_status", "VALUE"), sorted(customer))
	require.Equal(t, allowed("trade_status", "VALUE"), sorted(status))
	require.Equal(t, allowed("trade_type", "VALUE"), sorted(typ))
}

// TestDeepPages: on PostgreSQL, pages read from the far end, from the hour
// bucket they fall in, or past an id scan are the pages the plain OFFSET
// order gives, for every list key kind (bucketed or not), both directions
// and a page size that does not divide the total.
func TestDeepPages(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	// 3,001 customers over about five hours, three a timestamp (ties broken by id)
	require.NoError(t, f.exec(`INSERT INTO customers (organization_id, first_name, last_name, status, created_at, updated_at)
SELECT ?, 'Deep', 'Page', (ARRAY['ACTIVE','ACTIVE','SUSPENDED'])[1 + i % 3], CAST(? AS timestamptz) + (i / 3) * interval '18 seconds', CAST(? AS timestamptz)
FROM generate_series(1, 3001) AS i`, f.org, t0, t0))
	h := f.holding(t, f.org)
	for _, st := range []*investing.Status{nil, ptr(investing.Active)} {
		var want []int64
		q := s.DB.WithContext(f.ctx).Table("customers").Where("organization_id = ?", f.org)
		if st != nil {
			q = q.Where("status = ?", string(*st))
		}
		require.NoError(t, q.Order("created_at, id").Pluck("id", &want).Error)
		n := len(want)
		for _, limit := range []int{100, 7} {
			for _, desc := range []bool{false, true} {
				w := slices.Clone(want)
				if desc {
					slices.Reverse(w)
				}
				for _, page := range []int{0, 1, 999 / limit, 1000 / limit, (n / 2) / limit, (n-1000)/limit - 1, (n - 1000) / limit, (n - 1) / limit, n / limit} {
					got, err := f.repo.ListCustomers(f.ctx, f.org, investing.CustomerFilter{Status: st}, investing.PageRequest{Page: page, Limit: limit, Desc: desc})
					require.NoError(t, err)
					lo := min(page*limit, n)
					hi := min(lo+limit, n)
					require.Equal(t, w[lo:hi], idsOf(got.Items, func(c investing.Customer) int64 { return c.ID }), "status=%v limit=%d desc=%v page=%d", st, limit, desc, page)
					require.EqualValues(t, n, got.Total)
				}
			}
		}
	}
	// a key without buckets (one customer's accounts) deep from both ends
	require.NoError(t, f.exec(`INSERT INTO accounts (organization_id, customer_id, investment_type, currency, status, created_at, updated_at)
SELECT ?, id, 'INTERNATIONAL_STOCKS', 'USD', 'ACTIVE', created_at, updated_at FROM customers WHERE organization_id = ? AND id <> ?`, f.org, f.org, h.c.ID))
	var want []int64
	require.NoError(t, s.DB.WithContext(f.ctx).Table("accounts").Where("organization_id = ?", f.org).Order("created_at, id").Pluck("id", &want).Error)
	for _, page := range []int{0, 12, 15, 30} {
		got, err := f.repo.ListAccounts(f.ctx, f.org, nil, investing.PageRequest{Page: page, Limit: 100})
		require.NoError(t, err)
		lo := min(page*100, len(want))
		require.Equal(t, want[lo:min(lo+100, len(want))], idsOf(got.Items, func(a investing.Account) int64 { return a.ID }), "accounts page=%d", page)
	}
	f.requireKeptCounts(t, f.org)
}
