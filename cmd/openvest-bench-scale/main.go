// Command openvest-bench-scale measures list pages at scale on PostgreSQL:
// the page timings of issue 17 (goal 4) behind `make bench-scale`.
//
// It creates a throwaway database, migrates it, and loads -rows rows per
// surface into one organization in SQL (generate_series, triggers on: the
// maintained list totals of migration 00014 count the bulk inserts): the
// investing customers, accounts, portfolios, assets, requests and
// transactions (one of each per customer), the wallet customers of one
// counterparty, and the banking customers (with their applications). It
// then VACUUM ANALYZEs and reads, through the repositories the HTTP
// handlers call (page and total, exactly as the API answers them), the
// first, middle and last page of every list in each sort order and with
// each filter, printing for each the median wall time of -runs calls and
// the PostgreSQL execution time of its statements (EXPLAIN ANALYZE, the
// figure a loaded machine disturbs least). -plans prints the plans.
//
//	go run ./cmd/openvest-bench-scale -rows 1000000 -runs 5 [-plans] [-keep]
//
// -admin-url (default $TEST_DATABASE_URL, else the local trust-auth server)
// must name a role allowed to create and drop databases; the database is
// dropped at the end unless -keep.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/wallet"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

type config struct {
	adminURL string
	rows     int
	runs     int
	limit    int
	plans    bool
	keep     bool
	only     string
	reuse    string
	from     string
}

func main() {
	var cfg config
	adminURL := "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		adminURL = v
	}
	flag.StringVar(&cfg.adminURL, "admin-url", adminURL, "PostgreSQL URL of a role that may create and drop databases; TEST_DATABASE_URL sets the default")
	flag.IntVar(&cfg.rows, "rows", 1_000_000, "rows per surface")
	flag.IntVar(&cfg.runs, "runs", 5, "calls per measured page (the median is printed)")
	flag.IntVar(&cfg.limit, "limit", 100, "page size")
	flag.BoolVar(&cfg.plans, "plans", false, "print the EXPLAIN ANALYZE plan of every statement")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the database (its name is printed)")
	flag.StringVar(&cfg.only, "only", "", "measure only the cases whose name contains this text")
	flag.StringVar(&cfg.reuse, "reuse", "", "measure the database of an earlier -keep run (its name) instead of loading a new one")
	flag.StringVar(&cfg.from, "from", "", "with -reuse: load the tables from this one on first (an interrupted -keep run)")
	flag.Parse()
	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintln(os.Stderr, "openvest-bench-scale:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config) error {
	dbName := "openvest_bench_scale_" + strings.ToLower(rand.Text()[:8])
	if cfg.reuse != "" {
		dbName = cfg.reuse
	} else {
		admin, err := pgx.Connect(ctx, cfg.adminURL)
		if err != nil {
			return fmt.Errorf("connect to -admin-url: %w", err)
		}
		defer admin.Close(context.Background())
		ident := pgx.Identifier{dbName}.Sanitize()
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
			return fmt.Errorf("create database %s: %w", dbName, err)
		}
		if cfg.keep {
			fmt.Println("database:", dbName, "(kept)")
		} else {
			defer func() {
				if _, err := admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
					fmt.Fprintf(os.Stderr, "openvest-bench-scale: drop database %s: %v\n", dbName, err)
				}
			}()
		}
	}
	u, err := url.Parse(cfg.adminURL)
	if err != nil {
		return fmt.Errorf("-admin-url: %w", err)
	}
	u.Path = "/" + dbName
	s, err := store.Open(u.String(), store.Options{MaxConns: 4})
	if err != nil {
		return fmt.Errorf("open the store: %w", err)
	}
	defer s.Close()
	if s.Dialect != store.Postgres {
		return errors.New("-admin-url must be a PostgreSQL database")
	}
	if _, err := s.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var version string
	if err := s.DB.Raw(`SHOW server_version`).Scan(&version).Error; err != nil {
		return err
	}
	fmt.Printf("postgres %s, %d rows per surface, page size %d, median of %d calls; load average %s\n", version, cfg.rows, cfg.limit, cfg.runs, loadavg())

	var d data
	if cfg.reuse == "" {
		if d, err = load(ctx, s, cfg.rows, "", 0, 0); err != nil {
			return err
		}
	} else {
		if cfg.from != "" {
			var org, cp int64
			if err := s.DB.WithContext(ctx).Raw(`SELECT o.id, c.id FROM organizations o JOIN wallet_counterparties c ON c.organization_id = o.id WHERE o.name = 'Scale'`).Row().Scan(&org, &cp); err != nil {
				return fmt.Errorf("find the loaded organization: %w", err)
			}
			if _, err = load(ctx, s, cfg.rows, cfg.from, org, cp); err != nil {
				return err
			}
		}
		db := s.DB.WithContext(ctx)
		if err := db.Raw(`SELECT o.id, c.id FROM organizations o JOIN wallet_counterparties c ON c.organization_id = o.id WHERE o.name = 'Scale'`).Row().Scan(&d.org, &d.cp); err != nil {
			return fmt.Errorf("find the loaded organization: %w", err)
		}
		if err := db.Raw(`SELECT count(*) FROM customers WHERE organization_id = ?`, d.org).Scan(&d.rows).Error; err != nil {
			return err
		}
	}
	if err := describe(ctx, s, &d); err != nil {
		return err
	}
	fmt.Printf("load average %s\n\n", loadavg())
	fmt.Printf("%-58s %10s %10s %8s\n", "case", "wall ms", "db ms", "total")
	for _, c := range cases(s, d, cfg) {
		if cfg.only != "" && !strings.Contains(c.name, cfg.only) {
			continue
		}
		if err := measure(ctx, s, c, cfg); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	fmt.Printf("\nload average %s\n", loadavg())
	return nil
}

// data is what the cases need to know of the loaded rows.
type data struct {
	org, customer, account, portfolio, request int64
	cp                                         int64
	bankingLast                                banking.Position // the position before the last banking page
	rows                                       int
}

// load fills the database in SQL, one statement per table.
func load(ctx context.Context, s *store.Store, n int, from string, orgID, cpID int64) (data, error) {
	if from != "" {
		return loadSteps(ctx, s, n, from, orgID, cpID)
	}
	org := auth.Organization{Name: "Scale", ClientID: "client_" + rand.Text(), InvestmentTypes: []string{"INTERNATIONAL_STOCKS"},
		SignaturePolicy: auth.PolicyRequired, CreatedAt: time.Now().UTC()}
	if err := s.Auth().CreateOrganization(ctx, &org, auth.Hash(rand.Text())); err != nil {
		return data{}, fmt.Errorf("create the organization: %w", err)
	}
	cp := wallet.Counterparty{GUID: uuid.New(), OrganizationID: org.ID, Name: "Scale Bank", CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	if err := s.Wallet().CreateCounterparty(ctx, &cp); err != nil {
		return data{}, fmt.Errorf("create the counterparty: %w", err)
	}
	return loadSteps(ctx, s, n, "", org.ID, cp.ID)
}

// loadSteps loads the tables (from the one named from, or all), each
// with its secondary indexes dropped and built again after the insert and
// without triggers (session_replication_role replica: no foreign-key
// checks, no counting), then recounts list_counts, list_buckets and the
// wallet counters from the rows: the same end state, several times faster
// than row-by-row index maintenance on a loaded machine.
func loadSteps(ctx context.Context, s *store.Store, n int, from string, orgID, cpID int64) (data, error) {
	t0 := "2030-01-01T00:00:00Z"
	// created_at: two rows a second (ties broken by id), statuses in tenths.
	steps := []struct{ table, sql string }{
		{"customers", `INSERT INTO customers (organization_id, first_name, last_name, reference_id, status, created_at, updated_at)
SELECT @org, 'First' || i, 'Last' || i, 'ref-' || i,
    (ARRAY['ACTIVE','ACTIVE','ACTIVE','ACTIVE','ACTIVE','ACTIVE','ACTIVE','ACTIVE','SUSPENDED','CLOSED'])[1 + i % 10],
    CAST(@t0 AS timestamptz) + (i / 2) * interval '1 second', CAST(@t0 AS timestamptz) + (i / 2) * interval '1 second'
FROM generate_series(1, @n) AS i`},
		{"accounts", `INSERT INTO accounts (organization_id, customer_id, investment_type, currency, status, created_at, updated_at)
SELECT organization_id, id, 'INTERNATIONAL_STOCKS', 'USD', status, created_at, updated_at FROM customers WHERE organization_id = @org`},
		{"portfolios", `INSERT INTO portfolios (organization_id, customer_id, account_id, investment_type, currency, status, created_at, updated_at)
SELECT organization_id, customer_id, id, investment_type, currency, status, created_at, updated_at FROM accounts WHERE organization_id = @org`},
		{"assets", `INSERT INTO assets (organization_id, customer_id, account_id, portfolio_id, instrument_id, symbol, currency, quantity, created_at, updated_at)
SELECT organization_id, customer_id, account_id, id, 1 + id % 50, 'SYM' || (id % 50), currency, 1, created_at, updated_at FROM portfolios WHERE organization_id = @org`},
		{"requests", `INSERT INTO requests (organization_id, customer_id, account_id, portfolio_id, request_type, status, currency, instrument_id, symbol,
    asset_id, purchase_amount, sell_amount, error_reason, created_at, updated_at)
SELECT organization_id, customer_id, account_id, portfolio_id, t.typ, t.st, currency, instrument_id, symbol,
    CASE WHEN t.typ = 'SELL' THEN id END, CASE WHEN t.typ = 'PURCHASE' THEN 100 END, CASE WHEN t.typ = 'SELL' THEN 1 END,
    CASE WHEN t.st = 'ERROR' THEN 'insufficient funds' END, created_at, updated_at
FROM assets, LATERAL (SELECT CASE WHEN id % 4 = 0 THEN 'SELL' ELSE 'PURCHASE' END AS typ,
    (ARRAY['COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','PENDING','CANCELED','ERROR'])[1 + (id / 2) % 10] AS st) t
WHERE organization_id = @org`},
		{"transactions", `INSERT INTO transactions (organization_id, customer_id, account_id, portfolio_id, request_id, asset_id, instrument_id, symbol,
    transaction_type, status, currency, amount, fx_rate, price, quantity, value, uninvested, cycle, error_reason, executed_at, created_at, updated_at)
SELECT organization_id, customer_id, account_id, portfolio_id, id, asset_id, instrument_id, symbol, request_type, status, currency,
    100, 1, 10, 10, 100, 0, 1, error_reason, created_at, created_at, updated_at FROM requests WHERE organization_id = @org`},
		{"wallet_customers", `INSERT INTO wallet_customers (guid, organization_id, counterparty_id, login, name, surname, phone_number, segment, status,
    kyc_level, is_disabled, balance_allowed, asset_code, asset_issuer, created_at, updated_at)
SELECT gen_random_uuid(), @org, @cp, 'user' || i || '@example.com', 'Name' || (i % 97), 'Surname' || (i % 89), '+26097' || lpad(i::text, 7, '0'),
    (ARRAY['PL','PI',NULL])[1 + i % 3], (ARRAY['active','review','blocked','active','active'])[1 + i % 5], i % 4, i % 20 = 0,
    round((i::bigint * 7919 % 1000000) / 10.0, 1), 'ZMWT', 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN',
    CAST(@t0 AS timestamptz) + (i / 2) * interval '1 second', CAST(@t0 AS timestamptz) + (i / 2) * interval '1 second'
FROM generate_series(1, @n) AS i`},
		{"banking_applications", `INSERT INTO banking_applications (id, organization_id, type, status, email, phone, first_name, last_name, date_of_birth,
    address_line1, address_city, address_postal_code, address_country, customer_id, submitted_at, decided_at, created_at, updated_at)
SELECT 'app_' || lpad(i::text, 10, '0'), @org, 'INDIVIDUAL', 'APPROVED', 'c' || i || '@example.com', '+260971000000', 'Jane', 'Banda', '1990-01-01',
    '1 Cairo Road', 'Lusaka', '10101', 'ZM', 'cust_' || lpad(i::text, 10, '0'), CAST(@t0 AS timestamptz), CAST(@t0 AS timestamptz),
    CAST(@t0 AS timestamptz) + (i / 2) * interval '1 second', CAST(@t0 AS timestamptz) + (i / 2) * interval '1 second'
FROM generate_series(1, @n) AS i`},
		{"banking_customers", `INSERT INTO banking_customers (id, organization_id, application_id, type, status, email, phone, first_name, last_name, date_of_birth,
    address_line1, address_city, address_postal_code, address_country, last_activity_at, created_at, updated_at)
SELECT customer_id, organization_id, id, type, (ARRAY['ACTIVE','ACTIVE','ACTIVE','ACTIVE','ACTIVE','ACTIVE','ACTIVE','FROZEN','DORMANT','CLOSED'])[1 + i % 10],
    email, phone, first_name, last_name, date_of_birth, address_line1, address_city, address_postal_code, address_country, created_at, created_at, updated_at
FROM (SELECT *, row_number() OVER () AS i FROM banking_applications WHERE organization_id = @org) a`},
	}
	args := map[string]any{"org": orgID, "cp": cpID, "n": n, "t0": t0}
	total := time.Now()
	if from != "" {
		i := slices.IndexFunc(steps, func(st struct{ table, sql string }) bool { return st.table == from })
		if i < 0 {
			return data{}, fmt.Errorf("-from %s: no such table", from)
		}
		steps = steps[i:]
	}
	err := s.DB.WithContext(ctx).Connection(func(db *gorm.DB) error {
		if err := db.Exec(`SET session_replication_role = replica`).Error; err != nil {
			return fmt.Errorf("disable triggers: %w", err)
		}
		for _, st := range steps {
			start := time.Now()
			var idx []struct{ Indexname, Indexdef string }
			if err := db.Raw(`SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() AND tablename = ?
 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, st.table).Scan(&idx).Error; err != nil {
				return err
			}
			for _, ix := range idx {
				if err := db.Exec(`DROP INDEX ` + pgx.Identifier{ix.Indexname}.Sanitize()).Error; err != nil {
					return fmt.Errorf("drop index %s: %w", ix.Indexname, err)
				}
			}
			res := db.Exec(st.sql, args)
			if res.Error != nil {
				return fmt.Errorf("load %s: %w", st.table, res.Error)
			}
			for _, ix := range idx {
				if err := db.Exec(ix.Indexdef).Error; err != nil {
					return fmt.Errorf("create index %s: %w", ix.Indexname, err)
				}
			}
			var rows int64
			if err := db.Raw(`SELECT count(*) FROM ` + st.table).Scan(&rows).Error; err != nil {
				return err
			}
			fmt.Printf("loaded %-22s %9d rows in %6.1f s (%d indexes built after)\n", st.table, rows, time.Since(start).Seconds(), len(idx))
		}
		if err := db.Exec(`SET session_replication_role = origin`).Error; err != nil {
			return err
		}
		start := time.Now()
		if err := db.Exec(`SELECT list_counts_rebuild()`).Error; err != nil {
			return fmt.Errorf("recount the lists: %w", err)
		}
		if err := db.Exec(`UPDATE wallet_counterparties cp SET customers_total = (SELECT count(*) FROM wallet_customers c WHERE c.counterparty_id = cp.id)`).Error; err != nil {
			return fmt.Errorf("recount the wallet customers: %w", err)
		}
		fmt.Printf("recounted list_counts, list_buckets and the wallet counters in %.1f s\n", time.Since(start).Seconds())
		return nil
	})
	if err != nil {
		return data{}, err
	}
	db := s.DB.WithContext(ctx)
	start := time.Now()
	// every table, also those an interrupted run loaded before -from
	for _, table := range []string{"customers", "accounts", "portfolios", "assets", "requests", "transactions",
		"wallet_customers", "wallet_counterparties", "banking_applications", "banking_customers", "list_counts", "list_buckets"} {
		if err := db.Exec("VACUUM (ANALYZE) " + table).Error; err != nil {
			return data{}, fmt.Errorf("vacuum %s: %w", table, err)
		}
	}
	fmt.Printf("vacuum analyze in %.1f s; loaded in %.1f s\n", time.Since(start).Seconds(), time.Since(total).Seconds())
	return data{org: orgID, cp: cpID, rows: n}, nil
}

// describe finds a customer of the middle of the lists, with their
// rows, and the cursor of the last banking page.
func describe(ctx context.Context, s *store.Store, d *data) error {
	db, n := s.DB.WithContext(ctx), d.rows
	// a customer from the middle of the list, with their rows
	if err := db.Raw(`SELECT customer_id, account_id, portfolio_id, id FROM requests WHERE organization_id = ? ORDER BY id OFFSET ? LIMIT 1`, d.org, n/2).
		Row().Scan(&d.customer, &d.account, &d.portfolio, &d.request); err != nil {
		return fmt.Errorf("pick a customer: %w", err)
	}
	if err := db.Raw(`SELECT created_at, id FROM banking_customers WHERE organization_id = ? ORDER BY created_at, id OFFSET ? LIMIT 1`, d.org, max(0, n-101)).
		Row().Scan(&d.bankingLast.CreatedAt, &d.bankingLast.ID); err != nil {
		return fmt.Errorf("pick the last banking position: %w", err)
	}
	return nil
}

// benchCase is one measured call: list reads one page and its total.
type benchCase struct {
	name string
	list func(ctx context.Context, s *store.Store) (items int, total int64, err error)
}

func cases(_ *store.Store, d data, cfg config) []benchCase {
	var out []benchCase
	lim := cfg.limit
	pages := func(total int) []struct {
		name string
		page int
	} {
		last := max(0, (total-1)/lim)
		return []struct {
			name string
			page int
		}{{"first", 0}, {"middle", last / 2}, {"last", last}}
	}
	add := func(name string, total int, fn func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error)) {
		for _, desc := range []bool{false, true} {
			for _, pg := range pages(total) {
				sort := "asc"
				if desc {
					sort = "desc"
				}
				p := investing.PageRequest{Page: pg.page, Limit: lim, Desc: desc}
				out = append(out, benchCase{
					name: fmt.Sprintf("%s %s page=%d(%s)", name, sort, pg.page, pg.name),
					list: func(ctx context.Context, s *store.Store) (int, int64, error) { return fn(ctx, s, p) },
				})
			}
		}
	}
	n := d.rows
	cust := func(f investing.CustomerFilter) func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
		return func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
			pg, err := s.Investing().ListCustomers(ctx, d.org, f, p)
			return len(pg.Items), pg.Total, err
		}
	}
	active, suspended := investing.Active, investing.Suspended
	ref := "ref-" + strconv.Itoa(n/3)
	add("customers", n, cust(investing.CustomerFilter{}))
	add("customers status=ACTIVE", n*8/10, cust(investing.CustomerFilter{Status: &active}))
	add("customers status=SUSPENDED", n/10, cust(investing.CustomerFilter{Status: &suspended}))
	out = append(out, benchCase{name: "customers referenceId=one", list: func(ctx context.Context, s *store.Store) (int, int64, error) {
		return cust(investing.CustomerFilter{ReferenceID: &ref})(ctx, s, investing.PageRequest{Limit: lim})
	}})
	add("accounts", n, func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
		pg, err := s.Investing().ListAccounts(ctx, d.org, nil, p)
		return len(pg.Items), pg.Total, err
	})
	one := func(name string, fn func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error)) {
		out = append(out, benchCase{name: name, list: func(ctx context.Context, s *store.Store) (int, int64, error) {
			return fn(ctx, s, investing.PageRequest{Limit: lim})
		}})
	}
	one("accounts customerId=one", func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
		pg, err := s.Investing().ListAccounts(ctx, d.org, &d.customer, p)
		return len(pg.Items), pg.Total, err
	})
	one("portfolios of a customer", func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
		pg, err := s.Investing().ListPortfolios(ctx, d.org, d.customer, p)
		return len(pg.Items), pg.Total, err
	})
	req := func(f trading.RequestFilter) func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
		return func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
			pg, err := s.Trading().ListRequests(ctx, d.org, f, p)
			return len(pg.Items), pg.Total, err
		}
	}
	pending, sell := trading.Pending, trading.Sell
	add("requests", n, req(trading.RequestFilter{}))
	add("requests status=PENDING", n/10, req(trading.RequestFilter{Status: &pending}))
	add("requests requestType=SELL", n/4, req(trading.RequestFilter{Type: &sell}))
	add("requests status=PENDING&requestType=SELL", n/20, req(trading.RequestFilter{Status: &pending, Type: &sell}))
	one("requests customerId=one", req(trading.RequestFilter{CustomerID: &d.customer}))
	asset := func(f trading.AssetFilter) func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
		return func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
			pg, err := s.Trading().ListAssets(ctx, d.org, f, p)
			return len(pg.Items), pg.Total, err
		}
	}
	add("assets", n, asset(trading.AssetFilter{}))
	one("assets customerId=one", asset(trading.AssetFilter{CustomerID: &d.customer}))
	one("assets accountId=one", asset(trading.AssetFilter{AccountID: &d.account}))
	one("assets portfolioId=one", asset(trading.AssetFilter{PortfolioID: &d.portfolio}))
	tx := func(f trading.TransactionFilter) func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
		return func(ctx context.Context, s *store.Store, p investing.PageRequest) (int, int64, error) {
			pg, err := s.Trading().ListTransactions(ctx, d.org, f, p)
			return len(pg.Items), pg.Total, err
		}
	}
	add("transactions", n, tx(trading.TransactionFilter{}))
	one("transactions customerId=one", tx(trading.TransactionFilter{CustomerID: &d.customer}))
	one("transactions requestId=one", tx(trading.TransactionFilter{RequestID: &d.request}))

	// wallet: offset pages of one counterparty, unfiltered (the kept total)
	for _, w := range []struct {
		name   string
		offset int
		o      wallet.Ordering
	}{
		{"first", 0, wallet.DefaultOrdering}, {"middle", n / 2, wallet.DefaultOrdering}, {"last", max(0, n-lim), wallet.DefaultOrdering},
		{"middle -created_at", n/2 + lim, wallet.Ordering{Field: wallet.SortCreatedAt, Desc: true}},
		{"last -created_at", max(0, n-lim), wallet.Ordering{Field: wallet.SortCreatedAt, Desc: true}},
		{"middle name", n / 2, wallet.Ordering{Field: wallet.SortName}},
	} {
		lr := wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: w.offset, Limit: lim}, Ordering: w.o}
		f := wallet.CustomerFilter{Logins: []string{}, Statuses: []string{}} // as the HTTP layer passes absent arrays
		out = append(out, benchCase{name: fmt.Sprintf("wallet customers offset=%d(%s)", w.offset, w.name), list: func(ctx context.Context, s *store.Store) (int, int64, error) {
			pg, err := s.Wallet().ListCustomers(ctx, d.org, d.cp, f, lr)
			return len(pg.Items), pg.Total, err
		}})
	}
	// banking: cursor pages
	frozen := banking.Frozen
	for _, b := range []struct {
		name  string
		after *banking.Position
		f     banking.CustomerFilter
	}{{"first", nil, banking.CustomerFilter{}}, {"last", &d.bankingLast, banking.CustomerFilter{}}, {"first status=FROZEN", nil, banking.CustomerFilter{Status: &frozen}}} {
		out = append(out, benchCase{name: "banking customers " + b.name, list: func(ctx context.Context, s *store.Store) (int, int64, error) {
			items, err := s.Banking().ListCustomers(ctx, d.org, b.f, b.after, lim+1)
			return len(items), -1, err
		}})
	}
	return out
}

// measure runs c cfg.runs times (after one warm-up call) and prints the
// median wall time, then records its statements and prints the sum of
// their EXPLAIN ANALYZE execution times.
func measure(ctx context.Context, s *store.Store, c benchCase, cfg config) error {
	if _, _, err := c.list(ctx, s); err != nil {
		return err
	}
	var times []time.Duration
	var items int
	var total int64
	for range cfg.runs {
		start := time.Now()
		var err error
		items, total, err = c.list(ctx, s)
		if err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	wall := times[len(times)/2]

	rec := &recorder{}
	rs := &store.Store{DB: s.DB.Session(&gorm.Session{Logger: rec}), Dialect: s.Dialect}
	if _, _, err := c.list(ctx, rs); err != nil {
		return err
	}
	var dbMS float64
	var plans []string
	for _, q := range rec.sql {
		var lines []string
		if err := s.DB.WithContext(ctx).Raw("EXPLAIN (ANALYZE, BUFFERS) " + q).Scan(&lines).Error; err != nil {
			return fmt.Errorf("explain %s: %w", q, err)
		}
		for _, l := range lines {
			if m := execTime.FindStringSubmatch(l); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				dbMS += v
			}
		}
		plans = append(plans, q+"\n    "+strings.Join(lines, "\n    "))
	}
	tot := strconv.FormatInt(total, 10)
	if total < 0 {
		tot = "-"
	}
	fmt.Printf("%-58s %10.2f %10.2f %8s  (%d items, %d statements)\n", c.name, float64(wall.Microseconds())/1000, dbMS, tot, items, len(rec.sql))
	if cfg.plans {
		for _, p := range plans {
			fmt.Println("  " + p)
		}
	}
	return nil
}

var execTime = regexp.MustCompile(`^Execution Time: ([0-9.]+) ms`)

// recorder is a GORM logger that keeps each statement with its values.
type recorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *recorder) LogMode(logger.LogLevel) logger.Interface { return r }
func (r *recorder) Info(context.Context, string, ...any)     {}
func (r *recorder) Warn(context.Context, string, ...any)     {}
func (r *recorder) Error(context.Context, string, ...any)    {}
func (r *recorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	q, _ := fc()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sql = append(r.sql, q)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
