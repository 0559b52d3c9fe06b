package store_test

import (
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	// A local zone other than UTC makes the store's UTC normalisation
	// observable: without it, times read back would carry this zone.
	time.Local = time.FixedZone("UTC+3", 3*60*60)
	testdb.Main(m, "store")
}

// t0 is the base instant of the rows the tests write: UTC, microseconds.
var t0 = time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)

// forEachDialect runs fn on the package PostgreSQL database and on a fresh
// SQLite file, as parallel subtests.
func forEachDialect(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, testdb.Postgres(t))
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, testdb.SQLite(t))
	})
}

// forEachOwnDatabase is forEachDialect on databases of the test's own: for
// the sweeps across organizations (prunes, purges), which would delete the
// rows of the tests that share the package database, and see theirs.
func forEachOwnDatabase(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		s, err := store.Open(testdb.FreshURL(t), store.Options{MaxConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		fn(t, s)
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, testdb.SQLite(t))
	})
}

// fixture is one test's view of a store: its own organization and a second
// one whose rows must never leak into the first's.
type fixture struct {
	ctx   context.Context
	s     *store.Store
	repo  *store.InvestingRepo
	org   int64
	other int64
}

func setup(t *testing.T, s *store.Store) fixture {
	t.Helper()
	return fixture{
		ctx:   t.Context(),
		s:     s,
		repo:  s.Investing(),
		org:   newOrg(t, s, orgOpts{}).ID,
		other: newOrg(t, s, orgOpts{}).ID,
	}
}

type orgOpts struct {
	Types, Defaults []string // investment types offered, and those of them given to new customers
}

// newOrg creates an organization with a unique client id.
func newOrg(t testing.TB, s *store.Store, o orgOpts) auth.Organization {
	t.Helper()
	org := auth.Organization{
		Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(),
		InvestmentTypes: o.Types, DefaultInvestmentTypes: o.Defaults, SignaturePolicy: auth.PolicyRequired, CreatedAt: t0,
	}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &org, auth.Hash("secret")))
	require.NotZero(t, org.ID)
	return org
}

type customerOpts struct {
	ReferenceID *string
	Status      investing.Status // ACTIVE when empty
	CreatedAt   time.Time        // t0 when zero
}

func (f fixture) customer(t *testing.T, orgID int64, o customerOpts) investing.Customer {
	t.Helper()
	c := investing.Customer{
		OrganizationID: orgID, FirstName: "Ada", LastName: "Mwale", ReferenceID: o.ReferenceID,
		Status: or(o.Status, investing.Active), CreatedAt: orTime(o.CreatedAt), UpdatedAt: orTime(o.CreatedAt),
	}
	require.NoError(t, f.repo.CreateCustomer(f.ctx, &c))
	return c
}

type accountOpts struct {
	Status    investing.Status // ACTIVE when empty
	CreatedAt time.Time        // t0 when zero
}

func (f fixture) account(t *testing.T, c investing.Customer, typ investing.InvestmentType, o accountOpts) investing.Account {
	t.Helper()
	a := investing.Account{
		OrganizationID: c.OrganizationID, CustomerID: c.ID, InvestmentType: typ, Currency: investing.USD,
		Status: or(o.Status, investing.Active), CreatedAt: orTime(o.CreatedAt), UpdatedAt: orTime(o.CreatedAt),
	}
	require.NoError(t, f.repo.CreateAccounts(f.ctx, []*investing.Account{&a}))
	return a
}

type portfolioOpts struct {
	Account   *investing.Account // links the portfolio to this account
	Status    investing.Status   // ACTIVE when empty
	CreatedAt time.Time          // t0 when zero
}

func (f fixture) portfolio(t *testing.T, c investing.Customer, o portfolioOpts) investing.Portfolio {
	t.Helper()
	p := investing.Portfolio{
		OrganizationID: c.OrganizationID, CustomerID: c.ID, Currency: investing.EUR,
		Status: or(o.Status, investing.Active), CreatedAt: orTime(o.CreatedAt), UpdatedAt: orTime(o.CreatedAt),
	}
	if o.Account != nil {
		p.AccountID, p.InvestmentType = &o.Account.ID, &o.Account.InvestmentType
	}
	require.NoError(t, f.repo.CreatePortfolios(f.ctx, []*investing.Portfolio{&p}))
	return p
}

// exec runs raw SQL, bypassing the repository's own checks.
func (f fixture) exec(sql string, args ...any) error {
	return f.s.DB.WithContext(f.ctx).Exec(sql, args...).Error
}

func (f fixture) insertCustomer(orgID int64, status string) error {
	return f.exec(`INSERT INTO customers (organization_id, first_name, last_name, status, created_at, updated_at) VALUES (?, 'Raw', 'Row', ?, ?, ?)`, orgID, status, t0, t0)
}

func (f fixture) insertAccount(orgID, customerID int64, typ string) error {
	return f.exec(`INSERT INTO accounts (organization_id, customer_id, investment_type, currency, status, created_at, updated_at) VALUES (?, ?, ?, 'USD', 'ACTIVE', ?, ?)`, orgID, customerID, typ, t0, t0)
}

func (f fixture) insertPortfolio(orgID, customerID int64, accountID *int64, typ *string) error {
	return f.exec(`INSERT INTO portfolios (organization_id, customer_id, account_id, investment_type, currency, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'USD', 'ACTIVE', ?, ?)`, orgID, customerID, accountID, typ, t0, t0)
}

func TestCustomerRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		created := time.Date(2030, 2, 3, 4, 5, 6, 789012000, time.UTC)
		c := investing.Customer{
			OrganizationID: f.org, FirstName: "Chanda", LastName: "Phiri", ReferenceID: ptr("crm-1"),
			Status: investing.Suspended, CreatedAt: created, UpdatedAt: created.Add(time.Hour),
		}
		require.NoError(t, f.repo.CreateCustomer(f.ctx, &c))
		require.NotZero(t, c.ID)

		got, err := f.repo.Customer(f.ctx, f.org, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, c, got) // every field, times in UTC to the microsecond

		_, err = f.repo.Customer(f.ctx, f.other, c.ID, false)
		requireCode(t, err, errcode.NotFound)
		_, err = f.repo.Customer(f.ctx, f.org, c.ID+1_000_000, false)
		requireCode(t, err, errcode.NotFound)
	})
}

func TestSaveCustomer(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		c := f.customer(t, f.org, customerOpts{ReferenceID: ptr("before")})
		c.FirstName, c.LastName, c.ReferenceID, c.Status = "New", "Name", nil, investing.Closed
		c.UpdatedAt = t0.Add(time.Minute)
		require.NoError(t, f.repo.SaveCustomer(f.ctx, &c))

		got, err := f.repo.Customer(f.ctx, f.org, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, c, got)

		// Saving through another organization changes nothing.
		hijack := c
		hijack.OrganizationID, hijack.FirstName = f.other, "Hijacked"
		require.NoError(t, f.repo.SaveCustomer(f.ctx, &hijack))
		got, err = f.repo.Customer(f.ctx, f.org, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, "New", got.FirstName)
	})
}

func TestReferenceIDUniquePerOrganization(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		first := f.customer(t, f.org, customerOpts{ReferenceID: ptr("ref-42")})

		dup := investing.Customer{OrganizationID: f.org, FirstName: "B", LastName: "B", ReferenceID: ptr("ref-42"), Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		err := f.repo.CreateCustomer(f.ctx, &dup)
		e := requireCode(t, err, errcode.Conflict)
		require.Contains(t, e.Message, `"ref-42"`)
		require.Zero(t, dup.ID)

		// The same reference in another organization is fine.
		elsewhere := f.customer(t, f.other, customerOpts{ReferenceID: ptr("ref-42")})
		require.NotEqual(t, first.ID, elsewhere.ID)

		// Saving a customer onto a taken reference is a conflict too.
		second := f.customer(t, f.org, customerOpts{ReferenceID: ptr("ref-43")})
		second.ReferenceID = ptr("ref-42")
		e = requireCode(t, f.repo.SaveCustomer(f.ctx, &second), errcode.Conflict)
		require.Contains(t, e.Message, `"ref-42"`)
		got, err := f.repo.Customer(f.ctx, f.org, second.ID, false)
		require.NoError(t, err)
		require.Equal(t, "ref-43", *got.ReferenceID)

		// Customers without a reference do not clash with one another.
		f.customer(t, f.org, customerOpts{})
		f.customer(t, f.org, customerOpts{})
	})
}

func TestCreateAccounts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		c := f.customer(t, f.org, customerOpts{})
		bonds := &investing.Account{OrganizationID: f.org, CustomerID: c.ID, InvestmentType: investing.Bonds, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		crypto := &investing.Account{OrganizationID: f.org, CustomerID: c.ID, InvestmentType: investing.Crypto, Currency: investing.ZMW, Status: investing.Suspended, CreatedAt: t0.Add(time.Second), UpdatedAt: t0.Add(time.Minute)}
		require.NoError(t, f.repo.CreateAccounts(f.ctx, []*investing.Account{bonds, crypto}))
		require.NotZero(t, bonds.ID)
		require.NotZero(t, crypto.ID)
		require.NotEqual(t, bonds.ID, crypto.ID)
		for _, want := range []*investing.Account{bonds, crypto} {
			got, err := f.repo.Account(f.ctx, f.org, want.ID, false)
			require.NoError(t, err)
			require.Equal(t, *want, got)
		}
		_, err := f.repo.Account(f.ctx, f.other, bonds.ID, false)
		requireCode(t, err, errcode.NotFound)

		// One account per investment type per customer: the repository says so…
		again := &investing.Account{OrganizationID: f.org, CustomerID: c.ID, InvestmentType: investing.Bonds, Currency: investing.EUR, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		e := requireCode(t, f.repo.CreateAccounts(f.ctx, []*investing.Account{again}), errcode.Conflict)
		require.Contains(t, e.Message, string(investing.Bonds))
		// …and the database refuses the row on its own.
		require.Error(t, f.insertAccount(f.org, c.ID, "BONDS"))
		require.NoError(t, f.insertAccount(f.org, c.ID, "COMMODITY"))
		// Another customer may hold the same type.
		other := f.customer(t, f.org, customerOpts{})
		f.account(t, other, investing.Bonds, accountOpts{})
	})
}

func TestSaveAccount(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		a := f.account(t, f.customer(t, f.org, customerOpts{}), investing.Bonds, accountOpts{})
		a.Status, a.Currency, a.UpdatedAt = investing.Suspended, investing.ZMW, t0.Add(time.Hour)
		require.NoError(t, f.repo.SaveAccount(f.ctx, &a))
		got, err := f.repo.Account(f.ctx, f.org, a.ID, false)
		require.NoError(t, err)
		require.Equal(t, a, got)
	})
}

func TestSchemaConstraints(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)

		// Each refused row is followed by the same statement with valid
		// values, so that the refusal is the constraint's doing.
		require.Error(t, f.insertCustomer(f.org, "FROZEN"))
		require.NoError(t, f.insertCustomer(f.org, "SUSPENDED"))

		theirs := f.customer(t, f.other, customerOpts{})
		require.Error(t, f.insertAccount(f.org, theirs.ID, "CRYPTO"), "an account must belong to its customer's organization")
		require.NoError(t, f.insertAccount(f.other, theirs.ID, "CRYPTO"))

		mine := f.customer(t, f.org, customerOpts{})
		a := f.account(t, mine, investing.Bonds, accountOpts{})
		require.Error(t, f.insertPortfolio(f.org, mine.ID, &a.ID, nil), "a portfolio with an account needs an investment type")
		require.Error(t, f.insertPortfolio(f.org, mine.ID, nil, ptr("BONDS")), "a portfolio without an account has no investment type")
		require.NoError(t, f.insertPortfolio(f.org, mine.ID, &a.ID, ptr("BONDS")))
		require.NoError(t, f.insertPortfolio(f.org, mine.ID, nil, nil))
		require.Error(t, f.insertPortfolio(f.org, mine.ID, &a.ID, ptr("BONDS")), "an account has one portfolio")
	})
}

// TestPortfolioTakesItsAccountsType: on PostgreSQL a portfolio's key to its
// account carries the investment type (migration 00025), which is how a
// linked portfolio's type is checked against investment_types.
func TestPortfolioTakesItsAccountsType(t *testing.T) {
	t.Parallel()
	f := setup(t, testdb.Postgres(t))
	c := f.customer(t, f.org, customerOpts{})
	a := f.account(t, c, investing.Bonds, accountOpts{})
	require.Error(t, f.insertPortfolio(f.org, c.ID, &a.ID, ptr("CRYPTO")), "a known type that is not its account's")
	require.Error(t, f.insertPortfolio(f.org, c.ID, &a.ID, ptr("NO_SUCH_TYPE")), "a type that does not exist")
	require.NoError(t, f.insertPortfolio(f.org, c.ID, &a.ID, ptr("BONDS")))
}

func TestPortfolioRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		c := f.customer(t, f.org, customerOpts{})
		a := f.account(t, c, investing.Commodity, accountOpts{})
		linked := &investing.Portfolio{
			OrganizationID: f.org, CustomerID: c.ID, AccountID: &a.ID, InvestmentType: &a.InvestmentType,
			Currency: investing.USD, Status: investing.Active,
			InvestmentAmount: decimal.RequireFromString("12345678901234567890.12345678"),
			MarketValue:      decimal.RequireFromString("0.00000001"),
			Performance:      decimal.RequireFromString("-98765432109876543210.87654321"),
			CreatedAt:        t0, UpdatedAt: t0.Add(time.Second),
		}
		loose := &investing.Portfolio{
			OrganizationID: f.org, CustomerID: c.ID, Currency: investing.ZMW, Status: investing.Suspended,
			InvestmentAmount: decimal.Zero, MarketValue: decimal.RequireFromString("99999999999999999999999999999.99999999"), Performance: decimal.Zero,
			CreatedAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Minute),
		}
		require.NoError(t, f.repo.CreatePortfolios(f.ctx, []*investing.Portfolio{linked, loose}))
		require.NotZero(t, linked.ID)
		require.NotZero(t, loose.ID)

		for _, want := range []*investing.Portfolio{linked, loose} {
			got, err := f.repo.Portfolio(f.ctx, f.org, want.ID, false)
			require.NoError(t, err)
			requirePortfolio(t, *want, got)
		}
		page, err := f.repo.ListPortfolios(f.ctx, f.org, c.ID, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Items, 2)
		requirePortfolio(t, *linked, page.Items[0])
		requirePortfolio(t, *loose, page.Items[1])

		_, err = f.repo.Portfolio(f.ctx, f.other, linked.ID, false)
		requireCode(t, err, errcode.NotFound)

		// SavePortfolio writes status, currency and updated_at, nothing else.
		saved := *linked
		saved.Status, saved.Currency, saved.UpdatedAt = investing.Closed, investing.EUR, t0.Add(time.Hour)
		saved.InvestmentAmount = decimal.NewFromInt(1)
		require.NoError(t, f.repo.SavePortfolio(f.ctx, &saved))
		got, err := f.repo.Portfolio(f.ctx, f.org, linked.ID, false)
		require.NoError(t, err)
		want := saved
		want.InvestmentAmount = linked.InvestmentAmount
		requirePortfolio(t, want, got)
	})
}

func TestCascadeStatus(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		t.Run("whole customer", func(t *testing.T) {
			t.Parallel()
			f := setup(t, s)
			c := f.customer(t, f.org, customerOpts{})
			open := f.account(t, c, investing.Bonds, accountOpts{})
			openP := f.portfolio(t, c, portfolioOpts{Account: &open})
			closed := f.account(t, c, investing.Crypto, accountOpts{Status: investing.Closed})
			closedP := f.portfolio(t, c, portfolioOpts{Account: &closed, Status: investing.Closed})
			loose := f.portfolio(t, c, portfolioOpts{})
			// Another customer of the organization is not touched.
			bystander := f.customer(t, f.org, customerOpts{})
			bystanderA := f.account(t, bystander, investing.Bonds, accountOpts{})
			bystanderP := f.portfolio(t, bystander, portfolioOpts{Account: &bystanderA})

			// Through another organization nothing changes.
			n, err := cascadeCount(f.repo.CascadeStatus(f.ctx, f.other, c.ID, nil, investing.Suspended, t0.Add(time.Hour)))
			require.NoError(t, err)
			require.Zero(t, n)

			at := t0.Add(time.Hour)
			n, err = cascadeCount(f.repo.CascadeStatus(f.ctx, f.org, c.ID, nil, investing.Suspended, at))
			require.NoError(t, err)
			require.EqualValues(t, 3, n) // open, openP, loose

			f.requireAccount(t, open.ID, investing.Suspended, at)
			f.requirePortfolioStatus(t, openP.ID, investing.Suspended, at)
			f.requirePortfolioStatus(t, loose.ID, investing.Suspended, at)
			f.requireAccount(t, closed.ID, investing.Closed, t0)
			f.requirePortfolioStatus(t, closedP.ID, investing.Closed, t0)
			f.requireAccount(t, bystanderA.ID, investing.Active, t0)
			f.requirePortfolioStatus(t, bystanderP.ID, investing.Active, t0)
		})
		t.Run("one account", func(t *testing.T) {
			t.Parallel()
			f := setup(t, s)
			c := f.customer(t, f.org, customerOpts{})
			target := f.account(t, c, investing.Bonds, accountOpts{})
			targetP := f.portfolio(t, c, portfolioOpts{Account: &target})
			sibling := f.account(t, c, investing.Crypto, accountOpts{})
			siblingP := f.portfolio(t, c, portfolioOpts{Account: &sibling})
			loose := f.portfolio(t, c, portfolioOpts{})

			at := t0.Add(2 * time.Hour)
			n, err := cascadeCount(f.repo.CascadeStatus(f.ctx, f.org, c.ID, &target.ID, investing.Closed, at))
			require.NoError(t, err)
			require.EqualValues(t, 2, n)
			f.requireAccount(t, target.ID, investing.Closed, at)
			f.requirePortfolioStatus(t, targetP.ID, investing.Closed, at)
			f.requireAccount(t, sibling.ID, investing.Active, t0)
			f.requirePortfolioStatus(t, siblingP.ID, investing.Active, t0)
			f.requirePortfolioStatus(t, loose.ID, investing.Active, t0)

			// A CLOSED account stays closed.
			n, err = cascadeCount(f.repo.CascadeStatus(f.ctx, f.org, c.ID, &target.ID, investing.Active, at.Add(time.Hour)))
			require.NoError(t, err)
			require.Zero(t, n)
			f.requireAccount(t, target.ID, investing.Closed, at)
		})
	})
}

func (f fixture) requireAccount(t *testing.T, id int64, status investing.Status, updated time.Time) {
	t.Helper()
	a, err := f.repo.Account(f.ctx, f.org, id, false)
	require.NoError(t, err)
	require.Equal(t, status, a.Status, "account %d", id)
	require.Equal(t, updated, a.UpdatedAt, "account %d", id)
}

func (f fixture) requirePortfolioStatus(t *testing.T, id int64, status investing.Status, updated time.Time) {
	t.Helper()
	p, err := f.repo.Portfolio(f.ctx, f.org, id, false)
	require.NoError(t, err)
	require.Equal(t, status, p.Status, "portfolio %d", id)
	require.Equal(t, updated, p.UpdatedAt, "portfolio %d", id)
}

// Rows are created with created_at out of id order and with ties, so that
// both sort keys matter: the expected order is by created_at, then id.
var createdOffsets = []time.Duration{2 * time.Second, 0, 0, time.Second, 0}

// byCreatedThenID is the ascending order of rows created at createdOffsets.
func byCreatedThenID(ids []int64) []int64 { return []int64{ids[1], ids[2], ids[4], ids[3], ids[0]} }

func TestListCustomers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		var ids []int64
		for _, d := range createdOffsets {
			ids = append(ids, f.customer(t, f.org, customerOpts{CreatedAt: t0.Add(d)}).ID)
			f.customer(t, f.other, customerOpts{CreatedAt: t0.Add(d)}) // never listed
		}
		requirePages(t, byCreatedThenID(ids), func(p investing.PageRequest) ([]int64, int64) {
			page, err := f.repo.ListCustomers(f.ctx, f.org, investing.CustomerFilter{}, p)
			require.NoError(t, err)
			return idsOf(page.Items, func(c investing.Customer) int64 { return c.ID }), page.Total
		})
	})
}

func TestListCustomersFilters(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		active := f.customer(t, f.org, customerOpts{ReferenceID: ptr("a")})
		suspendedB := f.customer(t, f.org, customerOpts{ReferenceID: ptr("b"), Status: investing.Suspended})
		suspended := f.customer(t, f.org, customerOpts{Status: investing.Suspended})
		closed := f.customer(t, f.org, customerOpts{ReferenceID: ptr("c"), Status: investing.Closed})
		f.customer(t, f.other, customerOpts{ReferenceID: ptr("b"), Status: investing.Suspended})

		for _, tc := range []struct {
			name   string
			filter investing.CustomerFilter
			want   []int64
		}{
			{"none", investing.CustomerFilter{}, []int64{active.ID, suspendedB.ID, suspended.ID, closed.ID}},
			{"status", investing.CustomerFilter{Status: ptr(investing.Suspended)}, []int64{suspendedB.ID, suspended.ID}},
			{"closed", investing.CustomerFilter{Status: ptr(investing.Closed)}, []int64{closed.ID}},
			{"reference", investing.CustomerFilter{ReferenceID: ptr("b")}, []int64{suspendedB.ID}},
			{"both", investing.CustomerFilter{Status: ptr(investing.Suspended), ReferenceID: ptr("b")}, []int64{suspendedB.ID}},
			{"both, no match", investing.CustomerFilter{Status: ptr(investing.Active), ReferenceID: ptr("b")}, []int64{}},
			{"unknown reference", investing.CustomerFilter{ReferenceID: ptr("zzz")}, []int64{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				page, err := f.repo.ListCustomers(f.ctx, f.org, tc.filter, investing.PageRequest{Limit: 10})
				require.NoError(t, err)
				require.Equal(t, tc.want, idsOf(page.Items, func(c investing.Customer) int64 { return c.ID }))
				require.EqualValues(t, len(tc.want), page.Total)
			})
		}
		// The total of a full page counts with the filter.
		page, err := f.repo.ListCustomers(f.ctx, f.org, investing.CustomerFilter{Status: ptr(investing.Suspended)}, investing.PageRequest{Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []int64{suspendedB.ID}, idsOf(page.Items, func(c investing.Customer) int64 { return c.ID }))
		require.EqualValues(t, 2, page.Total)
	})
}

func TestListAccounts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		alice, bob := f.customer(t, f.org, customerOpts{}), f.customer(t, f.org, customerOpts{})
		stranger := f.customer(t, f.other, customerOpts{})
		owners := []investing.Customer{alice, bob, alice, bob, alice}
		var ids []int64
		for i, d := range createdOffsets {
			typ := investing.InvestmentTypes[i]
			ids = append(ids, f.account(t, owners[i], typ, accountOpts{CreatedAt: t0.Add(d)}).ID)
			f.account(t, stranger, typ, accountOpts{CreatedAt: t0.Add(d)}) // never listed
		}
		accountIDs := func(p investing.Page[investing.Account]) []int64 {
			return idsOf(p.Items, func(a investing.Account) int64 { return a.ID })
		}

		requirePages(t, byCreatedThenID(ids), func(p investing.PageRequest) ([]int64, int64) {
			page, err := f.repo.ListAccounts(f.ctx, f.org, nil, p)
			require.NoError(t, err)
			return accountIDs(page), page.Total
		})
		// Alice owns rows 0, 2 and 4: in order, 2 and 4 (t0) then 0 (t0+2s).
		requirePages(t, []int64{ids[2], ids[4], ids[0]}, func(p investing.PageRequest) ([]int64, int64) {
			page, err := f.repo.ListAccounts(f.ctx, f.org, &alice.ID, p)
			require.NoError(t, err)
			return accountIDs(page), page.Total
		})
		// Another organization's customer has nothing here.
		page, err := f.repo.ListAccounts(f.ctx, f.org, &stranger.ID, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Zero(t, page.Total)
	})
}

func TestListPortfolios(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		c, sibling := f.customer(t, f.org, customerOpts{}), f.customer(t, f.org, customerOpts{})
		stranger := f.customer(t, f.other, customerOpts{})
		var ids []int64
		for _, d := range createdOffsets {
			ids = append(ids, f.portfolio(t, c, portfolioOpts{CreatedAt: t0.Add(d)}).ID)
			f.portfolio(t, sibling, portfolioOpts{CreatedAt: t0.Add(d)})  // another customer's
			f.portfolio(t, stranger, portfolioOpts{CreatedAt: t0.Add(d)}) // another organization's
		}
		requirePages(t, byCreatedThenID(ids), func(p investing.PageRequest) ([]int64, int64) {
			page, err := f.repo.ListPortfolios(f.ctx, f.org, c.ID, p)
			require.NoError(t, err)
			return idsOf(page.Items, func(p investing.Portfolio) int64 { return p.ID }), page.Total
		})
		page, err := f.repo.ListPortfolios(f.ctx, f.org, stranger.ID, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Zero(t, page.Total)
	})
}

// requirePages walks every page of a list, ascending and descending, at
// several page sizes: full pages, a partial last page and an empty page past
// the end, checking the items and the total on each.
func requirePages(t *testing.T, wantASC []int64, list func(investing.PageRequest) ([]int64, int64)) {
	t.Helper()
	n := len(wantASC)
	for _, desc := range []bool{false, true} {
		want := slices.Clone(wantASC)
		if desc {
			slices.Reverse(want)
		}
		for _, limit := range []int{2, n, n + 1} {
			for page := 0; page*limit <= n; page++ {
				lo := page * limit
				hi := min(lo+limit, n)
				got, total := list(investing.PageRequest{Page: page, Limit: limit, Desc: desc})
				require.Equal(t, want[lo:hi], got, "desc=%v limit=%d page=%d", desc, limit, page)
				require.EqualValues(t, n, total, "total, desc=%v limit=%d page=%d", desc, limit, page)
			}
		}
	}
}

func TestOrganizationsAndTokens(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx, repo := t.Context(), s.Auth()
		rich := newOrg(t, s, orgOpts{Types: []string{"CRYPTO", "BONDS", "COMMODITY"}, Defaults: []string{"CRYPTO", "BONDS"}})
		plain := newOrg(t, s, orgOpts{})
		// Types come back in investment type id order.
		richTypes, richDefaults := []string{"COMMODITY", "BONDS", "CRYPTO"}, []string{"BONDS", "CRYPTO"}

		got, hash, err := repo.OrganizationByClientID(ctx, rich.ClientID)
		require.NoError(t, err)
		require.Equal(t, auth.Hash("secret"), hash)
		require.Equal(t, rich.ID, got.ID)
		require.Equal(t, rich.Name, got.Name)
		require.Equal(t, richTypes, got.InvestmentTypes)
		require.Equal(t, richDefaults, got.DefaultInvestmentTypes)
		require.Equal(t, t0, got.CreatedAt.UTC())
		_, _, err = repo.OrganizationByClientID(ctx, "no-such-client")
		requireCode(t, err, errcode.NotFound)

		n, err := repo.CountOrganizations(ctx)
		require.NoError(t, err)
		require.GreaterOrEqual(t, n, int64(2))

		for _, tc := range []struct {
			name            string
			org             auth.Organization
			types, defaults []string
		}{
			{"three investment types, two default", rich, richTypes, richDefaults},
			{"no investment types", plain, nil, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tok := auth.Token{OrganizationID: tc.org.ID, Hash: auth.Hash(rand.Text()), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
				require.NoError(t, repo.CreateToken(ctx, &tok))
				require.NotZero(t, tok.ID)

				gotTok, gotOrg, err := repo.TokenByHash(ctx, tok.Hash)
				require.NoError(t, err)
				require.Equal(t, tok.ID, gotTok.ID)
				require.Equal(t, tc.org.ID, gotTok.OrganizationID)
				require.Equal(t, tok.Hash, gotTok.Hash)
				require.True(t, tok.CreatedAt.Equal(gotTok.CreatedAt))
				require.True(t, tok.ExpiresAt.Equal(gotTok.ExpiresAt))
				require.Nil(t, gotTok.RevokedAt)
				require.Equal(t, tc.org.ID, gotOrg.ID)
				require.Equal(t, tc.org.Name, gotOrg.Name)
				require.Equal(t, tc.org.ClientID, gotOrg.ClientID)
				require.False(t, gotOrg.Sandbox)
				require.True(t, t0.Equal(gotOrg.CreatedAt))
				require.Equal(t, tc.types, gotOrg.InvestmentTypes)
				require.Equal(t, tc.defaults, gotOrg.DefaultInvestmentTypes)
			})
		}
		_, _, err = repo.TokenByHash(ctx, auth.Hash("never issued"))
		requireCode(t, err, errcode.NotFound)
	})
}

func TestRevokeToken(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx, repo := t.Context(), s.Auth()
		org, other := newOrg(t, s, orgOpts{}), newOrg(t, s, orgOpts{})
		tok := auth.Token{OrganizationID: org.ID, Hash: auth.Hash(rand.Text()), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		require.NoError(t, repo.CreateToken(ctx, &tok))

		_, _, err := repo.RevokeToken(ctx, other.ID, tok.ID, t0)
		requireCode(t, err, errcode.NotFound)
		_, _, err = repo.RevokeToken(ctx, org.ID, tok.ID+1_000_000, t0)
		requireCode(t, err, errcode.NotFound)
		got, _, err := repo.TokenByHash(ctx, tok.Hash)
		require.NoError(t, err)
		require.Nil(t, got.RevokedAt, "a refused revocation leaves the token alone")

		at := t0.Add(time.Minute)
		revoked, now, err := repo.RevokeToken(ctx, org.ID, tok.ID, at)
		require.NoError(t, err)
		require.True(t, now, "this call revoked it")
		require.Equal(t, tok.ID, revoked.ID)
		require.True(t, at.Equal(*revoked.RevokedAt))
		got, _, err = repo.TokenByHash(ctx, tok.Hash)
		require.NoError(t, err)
		require.NotNil(t, got.RevokedAt)
		require.True(t, at.Equal(*got.RevokedAt))

		// Idempotent: revoking again succeeds and keeps the first time.
		_, now, err = repo.RevokeToken(ctx, org.ID, tok.ID, at.Add(time.Hour))
		require.NoError(t, err)
		require.False(t, now, "already revoked")
		got, _, err = repo.TokenByHash(ctx, tok.Hash)
		require.NoError(t, err)
		require.True(t, at.Equal(*got.RevokedAt))
	})
}

func TestDeleteExpiredTokens(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		ctx, repo := t.Context(), s.Auth()
		org := newOrg(t, s, orgOpts{})
		// Far in the past, so that no other test's tokens are before the cutoff.
		cutoff := time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)
		token := func(expires time.Time) auth.Token {
			tok := auth.Token{OrganizationID: org.ID, Hash: auth.Hash(rand.Text()), CreatedAt: expires.Add(-time.Hour), ExpiresAt: expires}
			require.NoError(t, repo.CreateToken(ctx, &tok))
			return tok
		}
		expired := token(cutoff.Add(-time.Microsecond))
		atCutoff := token(cutoff)
		later := token(cutoff.Add(time.Hour))

		// The cutoff in another zone is the same instant.
		n, err := repo.DeleteExpiredTokens(ctx, cutoff.In(time.FixedZone("UTC-5", -5*60*60)))
		require.NoError(t, err)
		require.EqualValues(t, 1, n)

		_, _, err = repo.TokenByHash(ctx, expired.Hash)
		requireCode(t, err, errcode.NotFound)
		for _, kept := range []auth.Token{atCutoff, later} {
			_, _, err = repo.TokenByHash(ctx, kept.Hash)
			require.NoError(t, err)
		}
	})
}

func TestInvestments(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		all, err := s.Investing().Investments(t.Context())
		require.NoError(t, err)
		require.Len(t, all, 6)
		for i, inv := range all {
			require.EqualValues(t, i+1, inv.ID)
			require.Equal(t, investing.InvestmentTypes[i], inv.Type)
			require.NotEmpty(t, inv.Description)
			require.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), inv.CreatedAt)
		}
		require.Equal(t, "Allows trading of crypto currencies", all[5].Description)
	})
}

// requireCode requires err to be an *errcode.Error with code, and returns it.
func requireCode(t *testing.T, err error, code errcode.Code) *errcode.Error {
	t.Helper()
	e, ok := errcode.As(err)
	require.True(t, ok, "want a %s error, got %v", code, err)
	require.Equal(t, code, e.Code, e.Message)
	return e
}

// requirePortfolio compares portfolios, amounts by value.
func requirePortfolio(t *testing.T, want, got investing.Portfolio) {
	t.Helper()
	for _, m := range []struct {
		name      string
		want, got decimal.Decimal
	}{
		{"investment amount", want.InvestmentAmount, got.InvestmentAmount},
		{"market value", want.MarketValue, got.MarketValue},
		{"performance", want.Performance, got.Performance},
	} {
		require.True(t, m.want.Equal(m.got), "%s: want %s, got %s", m.name, m.want, m.got)
	}
	want.InvestmentAmount, want.MarketValue, want.Performance = decimal.Zero, decimal.Zero, decimal.Zero
	got.InvestmentAmount, got.MarketValue, got.Performance = decimal.Zero, decimal.Zero, decimal.Zero
	require.Equal(t, want, got)
}

func idsOf[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

func orTime(v time.Time) time.Time {
	if v.IsZero() {
		return t0
	}
	return v
}

// cascadeCount is how many rows a CascadeStatus call changed.
func cascadeCount(a []investing.Account, p []investing.Portfolio, err error) (int, error) {
	return len(a) + len(p), err
}
