package store_test

import (
	"crypto/sha256"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// planFixture is one large organization among 2,000 small ones, written
// in SQL: planCustomers customers (created a minute apart, so that a
// deep page of a list starts in an hour bucket), each with two accounts,
// a portfolio per account and one without, an asset per account's
// portfolio, a pending purchase and a pending sell per account and a
// recurring purchase (one of the large organization's due); an idempotency
// key, an access token, a wallet customer and account (of one of the
// organization's counterparties; the large one has 500 more), a banking
// application, customer, individual and account, an event and its
// delivery to the organization's webhook per customer; each small
// organization has one of each.
const planCustomers = 2500

var planFixture = []string{
	`INSERT INTO organizations (name, client_id, client_secret_hash, created_at, updated_at) VALUES ('Big', 'plan_big', '\x00', now(), now())`,
	`INSERT INTO organizations (name, client_id, client_secret_hash, created_at, updated_at)
SELECT 'Small ' || g, 'plan_small_' || g, '\x00', now(), now() FROM generate_series(1, 2000) g`,
	`CREATE TABLE plan_orgs AS
SELECT o.id AS org, g AS n, timestamptz '2031-01-01 00:00:00+00' + g * interval '1 minute' AS at
FROM organizations o CROSS JOIN LATERAL generate_series(1, CASE WHEN o.client_id = 'plan_big' THEN ` + strconv.Itoa(planCustomers) + ` ELSE 1 END) g
WHERE o.client_id LIKE 'plan_%'`,
	`INSERT INTO customers (organization_id, first_name, last_name, reference_id, status, created_at, updated_at)
SELECT org, 'First', 'Last', 'ref-' || n, 'ACTIVE', at, at FROM plan_orgs`,
	`INSERT INTO accounts (organization_id, customer_id, investment_type, currency, status, created_at, updated_at)
SELECT organization_id, id, t, 'USD', 'ACTIVE', created_at, updated_at FROM customers, unnest(ARRAY['INTERNATIONAL_STOCKS', 'BONDS']) t`,
	`INSERT INTO portfolios (organization_id, customer_id, account_id, investment_type, currency, status, created_at, updated_at)
SELECT organization_id, customer_id, id, investment_type, currency, 'ACTIVE', created_at, updated_at FROM accounts`,
	`INSERT INTO portfolios (organization_id, customer_id, currency, status, created_at, updated_at)
SELECT organization_id, id, 'USD', 'ACTIVE', created_at, updated_at FROM customers`,
	`INSERT INTO assets (organization_id, customer_id, account_id, portfolio_id, instrument_id, symbol, currency, quantity, created_at, updated_at)
SELECT organization_id, customer_id, account_id, id, 1, 'AAPL', 'USD', 1, created_at, updated_at FROM portfolios WHERE account_id IS NOT NULL`,
	`INSERT INTO requests (organization_id, customer_id, account_id, portfolio_id, request_type, status, currency, instrument_id, symbol, purchase_amount, created_at, updated_at)
SELECT organization_id, customer_id, account_id, id, 'PURCHASE', 'PENDING', 'USD', 1, 'AAPL', 100, created_at, updated_at FROM portfolios WHERE account_id IS NOT NULL`,
	`INSERT INTO requests (organization_id, customer_id, account_id, portfolio_id, request_type, status, currency, instrument_id, symbol, asset_id, sell_percentage, created_at, updated_at)
SELECT organization_id, customer_id, account_id, portfolio_id, 'SELL', 'PENDING', 'USD', 1, 'AAPL', id, 50, created_at, updated_at FROM assets`,
	`INSERT INTO idempotency_keys (organization_id, key, method, path, request_hash, created_at, expires_at)
SELECT org, 'key-' || n, 'POST', '/v1/customers', '\x00', at, at + interval '1 day' FROM plan_orgs`,
	`INSERT INTO access_tokens (organization_id, token_hash, created_at, expires_at)
SELECT org, sha256(convert_to(org || '-' || n, 'UTF8')), at, at + interval '1 hour' FROM plan_orgs`,
	`INSERT INTO organization_investment_types (organization_id, investment_type, is_default)
SELECT id, t, true FROM organizations, unnest(ARRAY['INTERNATIONAL_STOCKS', 'BONDS']) t WHERE client_id LIKE 'plan_%'`,
	`INSERT INTO wallet_counterparties (guid, organization_id, name, created_at, updated_at)
SELECT gen_random_uuid(), id, 'Counterparty ' || g, now() - interval '1 day', now() FROM organizations, generate_series(1, 500) g WHERE client_id = 'plan_big'`,
	`INSERT INTO wallet_counterparties (guid, organization_id, name, created_at, updated_at)
SELECT gen_random_uuid(), id, 'Counterparty', now(), now() FROM organizations WHERE client_id LIKE 'plan_%'`,
	`INSERT INTO wallet_customers (guid, organization_id, counterparty_id, login, name, surname, status, asset_code, asset_issuer, created_at, updated_at)
SELECT gen_random_uuid(), o.org, c.id, 'login' || o.n, 'Name', 'Surname', 'ACTIVE', 'ZMW', 'G' || repeat('A', 55), o.at, o.at
FROM plan_orgs o JOIN wallet_counterparties c ON c.organization_id = o.org AND c.name = 'Counterparty'`,
	`INSERT INTO wallet_accounts (guid, organization_id, counterparty_id, customer_id, iban, asset_code, asset_issuer, created_at, updated_at)
SELECT gen_random_uuid(), organization_id, counterparty_id, id, 'ZM00' || lpad(id::text, 12, '0'), asset_code, asset_issuer, created_at, updated_at FROM wallet_customers`,
	`INSERT INTO banking_applications (id, organization_id, type, status, email, first_name, last_name, date_of_birth, customer_id, submitted_at, decided_at, created_at, updated_at)
SELECT 'app_' || org || '_' || n, org, 'INDIVIDUAL', 'APPROVED', 'a@example.com', 'First', 'Last', date '1990-01-01', 'cust_' || org || '_' || n, at, at, at, at FROM plan_orgs`,
	`INSERT INTO banking_customers (id, organization_id, application_id, type, status, email, phone, first_name, last_name, date_of_birth,
  address_line1, address_city, address_postal_code, address_country, last_activity_at, created_at, updated_at)
SELECT 'cust_' || org || '_' || n, org, 'app_' || org || '_' || n, 'INDIVIDUAL', 'ACTIVE', 'a@example.com', '+260', 'First', 'Last', date '1990-01-01',
  'Line 1', 'Lusaka', '10101', 'ZM', at, at, at FROM plan_orgs`,
	`INSERT INTO banking_individuals (id, organization_id, customer_id, position, role, first_name, last_name, date_of_birth,
  address_line1, address_city, address_postal_code, address_country, created_at, updated_at)
SELECT 'ind_' || org || '_' || n, org, 'cust_' || org || '_' || n, 0, 'CONTROLLING_PERSON', 'First', 'Last', date '1990-01-01',
  'Line 1', 'Lusaka', '10101', 'ZM', at, at FROM plan_orgs`,
	`INSERT INTO banking_accounts (id, organization_id, customer_id, currency, status, created_at, updated_at)
SELECT 'acc_' || org || '_' || n, org, 'cust_' || org || '_' || n, 'USD', 'ACTIVE', at, at FROM plan_orgs`,
	`INSERT INTO requests (organization_id, customer_id, account_id, portfolio_id, request_type, status, currency, instrument_id, symbol, purchase_amount,
  is_recurring, schedule, next_execution_at, created_at, updated_at)
SELECT organization_id, customer_id, account_id, id, 'PURCHASE', 'PENDING', 'USD', 1, 'AAPL', 100, true, 'DAILY', created_at + interval '1 year', created_at, updated_at
FROM portfolios WHERE investment_type = 'INTERNATIONAL_STOCKS'`,
	`UPDATE requests SET next_execution_at = timestamptz '2031-05-01 00:00:00+00'
WHERE id = (SELECT max(r.id) FROM requests r JOIN organizations o ON o.id = r.organization_id WHERE o.client_id = 'plan_big' AND r.is_recurring)`,
	`INSERT INTO webhooks (organization_id, url, subscriptions, status, created_at, updated_at)
SELECT id, 'https://hooks.example.com/' || id, 'ALL', 'ACTIVE', now(), now() FROM organizations WHERE client_id LIKE 'plan_%'`,
	`INSERT INTO webhook_events (id, organization_id, name, data, created_at) SELECT gen_random_uuid(), org, 'CUSTOMER.CREATED', '{}', at FROM plan_orgs`,
	`INSERT INTO webhook_deliveries (organization_id, webhook_id, event_id, state, created_at, updated_at)
SELECT e.organization_id, w.id, e.id, 'PENDING', e.created_at, e.created_at FROM webhook_events e JOIN webhooks w ON w.organization_id = e.organization_id`,
	`DROP TABLE plan_orgs`,
	`ANALYZE`,
}

// TestHotPathPlans: the statements of the hot-path reads and writes read,
// in their generic plan, about the rows they return (one for a keyed read,
// a page for a list) of each table they touch, however large the
// organization, not every row of a large organization that an estimate by
// the average organization would have them filter.
func TestHotPathPlans(t *testing.T) {
	t.Parallel()
	s, err := store.Open(testdb.FreshURL(t), store.Options{MaxConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := t.Context()
	for _, q := range planFixture {
		require.NoError(t, s.DB.Exec(q).Error, q)
	}

	// The large organization's last customer and what it has.
	var ids struct {
		Org, Customer, Account, Bonds, Portfolio, Standalone, Purchase, Asset int64
	}
	var wids struct {
		Counterparty, WalletCustomer, WalletAccount string
		CounterpartyID                              int64
	}
	require.NoError(t, s.DB.Raw(`SELECT o.id AS org, c.id AS customer, a.id AS account, b.id AS bonds, p.id AS portfolio, sp.id AS standalone,
  r.id AS purchase, x.id AS asset
FROM organizations o
JOIN customers c ON c.organization_id = o.id AND c.reference_id = 'ref-`+strconv.Itoa(planCustomers)+`'
JOIN accounts a ON a.customer_id = c.id AND a.investment_type = 'INTERNATIONAL_STOCKS'
JOIN accounts b ON b.customer_id = c.id AND b.investment_type = 'BONDS'
JOIN portfolios p ON p.account_id = a.id
JOIN portfolios sp ON sp.customer_id = c.id AND sp.account_id IS NULL
JOIN requests r ON r.portfolio_id = p.id AND r.request_type = 'PURCHASE'
JOIN assets x ON x.portfolio_id = p.id
WHERE o.client_id = 'plan_big'`).Scan(&ids).Error)
	require.NotZero(t, ids.Asset)
	var hids struct{ Webhook, Delivery int64 }
	require.NoError(t, s.DB.Raw(`SELECT webhook_id AS webhook, max(id) AS delivery FROM webhook_deliveries WHERE organization_id = ? GROUP BY webhook_id`, ids.Org).Scan(&hids).Error)
	require.NotZero(t, hids.Delivery)
	require.NoError(t, s.DB.Raw(`SELECT cp.guid AS counterparty, cp.id AS counterparty_id, wc.guid AS wallet_customer, wa.guid AS wallet_account
FROM wallet_counterparties cp
JOIN wallet_customers wc ON wc.counterparty_id = cp.id AND wc.login = 'login`+strconv.Itoa(planCustomers)+`'
JOIN wallet_accounts wa ON wa.customer_id = wc.id
WHERE cp.organization_id = ?`, ids.Org).Scan(&wids).Error)
	require.NotEmpty(t, wids.WalletAccount)
	org, n := ids.Org, strconv.FormatInt(ids.Org, 10)+"_"+strconv.Itoa(planCustomers)
	cpGUID, wcGUID, waGUID := uuid.MustParse(wids.Counterparty), uuid.MustParse(wids.WalletCustomer), uuid.MustParse(wids.WalletAccount)
	at := time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC)

	inv, trd, wal, bnk, hooks := s.Investing(), s.Trading(), s.Wallet(), s.Banking(), s.Webhooks()
	const page = 20
	first := investing.PageRequest{Page: 0, Limit: page}
	deep := investing.PageRequest{Page: planCustomers / page / 2, Limit: page} // an hour bucket of the middle
	// A keyed read reads its row; a page its rows, from the start of its
	// hour bucket (60 rows an hour); a maintained total its slots and
	// buckets (one slot a key here: one backend wrote them).
	one := func(tables ...string) map[string]float64 {
		b := map[string]float64{}
		for _, t := range tables {
			b[t] = 1
		}
		return b
	}
	pageOf := func(table string) map[string]float64 {
		return map[string]float64{table: page + 1, "list_counts": 1}
	}
	deepOf := func(table string) map[string]float64 {
		return map[string]float64{table: 60 + page, "list_counts": 1, "list_buckets": 2 * planCustomers / 60}
	}
	ok := func(_ any, err error) { require.NoError(t, err) }
	ok3 := func(_, _ any, err error) { require.NoError(t, err) }
	found := func(_ any, found bool, err error) {
		require.NoError(t, err)
		require.True(t, found)
	}

	rec := recordSQL(t, s)
	p := newPlanRunner(t, s)
	for _, c := range []struct {
		name   string
		run    func()
		bounds map[string]float64
	}{
		// investing
		{"Customer", func() { ok(inv.Customer(ctx, org, ids.Customer, false)) }, one("customers")},
		{"Customer locked", func() { ok(inv.Customer(ctx, org, ids.Customer, true)) }, one("customers")},
		{"Account", func() { ok(inv.Account(ctx, org, ids.Account, false)) }, one("accounts")},
		{"Account locked", func() { ok(inv.Account(ctx, org, ids.Account, true)) }, one("accounts")},
		{"Portfolio", func() { ok(inv.Portfolio(ctx, org, ids.Portfolio, false)) }, one("portfolios")},
		{"Portfolio locked", func() { ok(inv.Portfolio(ctx, org, ids.Portfolio, true)) }, one("portfolios")},
		{"ListCustomers first", func() { ok(inv.ListCustomers(ctx, org, investing.CustomerFilter{}, first)) }, pageOf("customers")},
		{"ListCustomers deep", func() { ok(inv.ListCustomers(ctx, org, investing.CustomerFilter{}, deep)) }, deepOf("customers")},
		{"ListCustomers ACTIVE first", func() {
			st := investing.Active
			ok(inv.ListCustomers(ctx, org, investing.CustomerFilter{Status: &st}, first))
		}, pageOf("customers")},
		{"ListCustomers by reference", func() {
			ref := "ref-" + strconv.Itoa(planCustomers)
			ok(inv.ListCustomers(ctx, org, investing.CustomerFilter{ReferenceID: &ref}, first))
		}, one("customers")},
		{"ListAccounts first", func() { ok(inv.ListAccounts(ctx, org, nil, first)) }, pageOf("accounts")},
		{"ListAccounts deep", func() {
			ok(inv.ListAccounts(ctx, org, nil, investing.PageRequest{Page: planCustomers / page, Limit: page}))
		},
			map[string]float64{"accounts": 2*60 + page, "list_counts": 1, "list_buckets": 2 * planCustomers / 60}},
		{"ListAccounts of a customer", func() { ok(inv.ListAccounts(ctx, org, &ids.Customer, first)) }, map[string]float64{"accounts": 2}},
		{"ListPortfolios of a customer", func() { ok(inv.ListPortfolios(ctx, org, ids.Customer, first)) },
			map[string]float64{"portfolios": 3, "accounts": 2, "list_counts": 1}},
		{"SaveCustomer", func() {
			c, err := inv.Customer(ctx, org, ids.Customer, false)
			require.NoError(t, err)
			require.NoError(t, inv.SaveCustomer(ctx, &c))
		}, one("customers")},
		{"CascadeStatus", func() { ok3(inv.CascadeStatus(ctx, org, ids.Customer, nil, investing.Active, at)) },
			map[string]float64{"accounts": 2, "portfolios": 3}},

		// trading
		{"AccountOfType", func() { ok(trd.AccountOfType(ctx, org, ids.Customer, investing.InvestmentType("BONDS"))) }, one("accounts")},
		{"PortfolioOfAccount", func() { ok(trd.PortfolioOfAccount(ctx, org, ids.Account, true)) }, one("portfolios")},
		{"ActivePortfolioOfAccount", func() { found(trd.ActivePortfolioOfAccount(ctx, org, ids.Customer, ids.Account, false)) },
			one("portfolios", "customers", "accounts")},
		{"ActivePortfolioOfAccount locked", func() { found(trd.ActivePortfolioOfAccount(ctx, org, ids.Customer, ids.Account, true)) },
			one("portfolios", "customers", "accounts")},
		{"ActivePortfolioOfType", func() {
			found(trd.ActivePortfolioOfType(ctx, org, ids.Customer, investing.InvestmentType("BONDS")))
		}, one("portfolios", "customers", "accounts")},
		{"Request", func() { ok(trd.Request(ctx, org, ids.Purchase, false)) }, one("requests")},
		{"Request locked", func() { ok(trd.Request(ctx, org, ids.Purchase, true)) }, one("requests")},
		{"ListRequests first", func() { ok(trd.ListRequests(ctx, org, trading.RequestFilter{}, first)) }, pageOf("requests")},
		{"ListRequests deep", func() {
			ok(trd.ListRequests(ctx, org, trading.RequestFilter{}, investing.PageRequest{Page: 2 * planCustomers / page, Limit: page}))
		}, map[string]float64{"requests": 5*60 + page, "list_counts": 1, "list_buckets": 2 * planCustomers / 60}},
		{"ListRequests of a customer", func() {
			ok(trd.ListRequests(ctx, org, trading.RequestFilter{CustomerID: &ids.Customer}, first))
		}, map[string]float64{"requests": 5, "list_counts": 1}},
		{"LockPendingRequests", func() { // the account's pending requests, both types
			rs, err := trd.LockPendingRequests(ctx, org, ids.Account, trading.RequestType("PURCHASE"), 50)
			require.NoError(t, err)
			require.Len(t, rs, 1)
		}, map[string]float64{"requests": 2}},
		{"PendingSells", func() { ok(trd.PendingSells(ctx, org, []int64{ids.Asset})) }, one("requests")},
		{"Asset", func() { ok(trd.Asset(ctx, org, ids.Asset, true)) }, one("assets")},
		{"AssetOf", func() { found(trd.AssetOf(ctx, org, ids.Portfolio, 1)) }, one("assets")},
		{"PortfolioAssets", func() { ok(trd.PortfolioAssets(ctx, org, []int64{ids.Portfolio})) }, one("assets")},
		{"ListAssets of a portfolio", func() {
			ok(trd.ListAssets(ctx, org, trading.AssetFilter{PortfolioID: &ids.Portfolio}, first))
		}, map[string]float64{"assets": 1, "list_counts": 1}},
		{"SaveRequests", func() {
			r, err := trd.Request(ctx, org, ids.Purchase, false)
			require.NoError(t, err)
			require.NoError(t, trd.SaveRequests(ctx, org, []trading.Request{r}))
		}, one("requests")},
		{"SavePortfolioValues", func() {
			pf, err := inv.Portfolio(ctx, org, ids.Portfolio, false)
			require.NoError(t, err)
			require.NoError(t, trd.SavePortfolioValues(ctx, &pf))
		}, one("portfolios")},
		{"DueRequests", func() {
			rs, err := trd.DueRequests(ctx, org, at)
			require.NoError(t, err)
			require.Len(t, rs, 1)
		}, one("requests")},
		{"OverdueRequests", func() {
			rs, err := trd.OverdueRequests(ctx, at, 1000)
			require.NoError(t, err)
			require.Len(t, rs, 1)
		}, one("requests")},
		{"SandboxState", func() { ok3(trd.SandboxState(ctx, org)) }, one("sandbox_clocks", "sandbox_prices")},

		// idempotency and auth
		{"idempotency Record", func() { ok(s.Idempotency().Record(ctx, org, "key-"+strconv.Itoa(planCustomers))) }, one("idempotency_keys")},
		{"idempotency Delete", func() {
			require.NoError(t, s.Idempotency().Delete(ctx, org, "key-"+strconv.Itoa(planCustomers-1)))
		}, one("idempotency_keys")},
		{"TokenByHash", func() {
			h := sha256.Sum256([]byte(strconv.FormatInt(org, 10) + "-" + strconv.Itoa(planCustomers)))
			_, o, err := s.Auth().TokenByHash(ctx, h[:])
			require.NoError(t, err)
			require.Equal(t, org, o.ID)
		}, map[string]float64{"access_tokens": 1, "organizations": 1, "organization_investment_types": 2, "investment_types": 2}},
		{"OrganizationByClientID", func() { ok3(s.Auth().OrganizationByClientID(ctx, "plan_big")) },
			map[string]float64{"organizations": 1, "organization_investment_types": 2, "investment_types": 6}}, // the catalog: six rows

		// webhooks
		{"ActiveWebhooks", func() { ok(hooks.ActiveWebhooks(ctx, org)) }, one("webhooks")},
		{"RecordEmission", func() {
			id := uuid.NewString()
			ds, err := hooks.RecordEmission(ctx, org, []webhook.Event{{ID: id, OrganizationID: org, Name: "CUSTOMER.UPDATED", CreatedAt: at, Data: []byte(`{}`)}}, at)
			require.NoError(t, err)
			require.Len(t, ds, 1)
			// unrecorded: the plan's execution inserts the event and its delivery again
			_, err = rec.db.ExecContext(ctx, "DELETE FROM webhook_deliveries WHERE event_id = $1", id)
			require.NoError(t, err)
			_, err = rec.db.ExecContext(ctx, "DELETE FROM webhook_events WHERE id = $1", id)
			require.NoError(t, err)
		}, one("webhooks")},
		{"Outgoing", func() {
			out, err := hooks.Outgoing(ctx, org, []int64{hids.Delivery})
			require.NoError(t, err)
			require.Len(t, out, 1)
		}, one("webhook_deliveries", "webhook_events", "webhooks")},
		{"Delivery", func() { ok(hooks.Delivery(ctx, org, hids.Delivery, true)) }, one("webhook_deliveries", "webhook_events")},
		{"RecordAttempts", func() {
			d, err := hooks.Delivery(ctx, org, hids.Delivery, false)
			require.NoError(t, err)
			d.State = webhook.Succeeded
			ok(hooks.RecordAttempts(ctx, org, []webhook.Delivery{d}, 1, at))
		}, one("webhook_deliveries", "webhook_events")},

		// wallet
		{"wallet Counterparty", func() { ok(wal.Counterparty(ctx, org, cpGUID)) }, // by its guid, then its id
			map[string]float64{"wallet_counterparties": 2}},
		{"wallet Customer", func() { ok(wal.Customer(ctx, org, wids.CounterpartyID, wcGUID, true)) }, // by its guid, then its id
			map[string]float64{"wallet_customers": 2}},
		{"wallet FindCustomer", func() { ok(wal.FindCustomer(ctx, org, wcGUID)) }, one("wallet_customers", "wallet_counterparties")},
		{"wallet FindAccount", func() { ok(wal.FindAccount(ctx, org, waGUID)) }, one("wallet_accounts", "wallet_customers")},
		{"wallet ListAccounts of a customer", func() {
			c, err := wal.FindCustomer(ctx, org, wcGUID)
			require.NoError(t, err)
			ok(wal.ListAccounts(ctx, org, c.ID, nil))
		}, one("wallet_accounts")},
		{"wallet ListCustomers first", func() {
			ok(wal.ListCustomers(ctx, org, wids.CounterpartyID, wallet.CustomerFilter{},
				wallet.ListRequest{PageRequest: wallet.PageRequest{Limit: page}, Ordering: wallet.DefaultOrdering}))
		}, map[string]float64{"wallet_customers": page + 1, "wallet_counterparties": 1}},

		// banking
		{"banking Customer", func() { ok(bnk.Customer(ctx, org, "cust_"+n, true)) }, one("banking_customers")},
		{"banking CustomerDetail", func() { ok(bnk.CustomerDetail(ctx, org, "cust_"+n)) },
			one("banking_customers", "banking_individuals", "banking_accounts")},
		{"banking Individual", func() { ok(bnk.Individual(ctx, org, "cust_"+n, "ind_"+n, true)) }, one("banking_individuals")},
		{"banking FindIndividual", func() { ok(bnk.FindIndividual(ctx, org, "ind_"+n)) }, one("banking_individuals")},
		{"banking Application", func() { ok(bnk.Application(ctx, org, "app_"+n, true)) }, one("banking_applications")},
		{"banking ListCustomers first", func() { ok(bnk.ListCustomers(ctx, org, banking.CustomerFilter{}, nil, page)) },
			map[string]float64{"banking_customers": page + 1}},
	} {
		p.requireReads(t, c.name, rec.capture(t, c.run), c.bounds)
	}

	// A delivery list's page (its total is counted: every delivery of the
	// webhook, by design).
	stmts := slices.DeleteFunc(rec.capture(t, func() { ok(hooks.ListDeliveries(ctx, org, hids.Webhook, nil, first)) }),
		func(st recorded) bool { return strings.HasPrefix(st.sql, "SELECT count(") })
	require.Len(t, stmts, 1)
	p.requireReads(t, "ListDeliveries first", stmts, map[string]float64{"webhook_deliveries": page + 1, "webhook_events": page + 1})
}
