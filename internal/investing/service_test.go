package investing_test

import (
	"context"
	"crypto/rand"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testclock"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "investing") }

// bundle is one test's service, clock and organization.
type bundle struct {
	ctx   context.Context
	s     *store.Store
	clock *testclock.Clock
	svc   *investing.Service
	org   investing.Org
}

type orgOpts struct {
	Types    []investing.InvestmentType // offered
	Defaults []investing.InvestmentType // given to every new customer
}

// setup gives the test an organization that offers BONDS, CRYPTO and
// LOCAL_STOCKS, the first two by default.
func setup(t *testing.T) bundle {
	t.Helper()
	return setupWith(t, orgOpts{
		Types:    []investing.InvestmentType{investing.Bonds, investing.Crypto, investing.LocalStocks},
		Defaults: []investing.InvestmentType{investing.Bonds, investing.Crypto},
	})
}

func setupWith(t *testing.T, o orgOpts) bundle {
	t.Helper()
	s := testdb.Postgres(t)
	// Not UTC and finer than a microsecond: the service stores neither.
	clk := testclock.New(time.Date(2032, 3, 4, 5, 6, 7, 891234567, time.FixedZone("CAT", 2*60*60)))
	return bundle{ctx: t.Context(), s: s, clock: clk, svc: investing.NewService(s.Investing(), clk.Now), org: newOrg(t, s, o)}
}

func newOrg(t *testing.T, s *store.Store, o orgOpts) investing.Org {
	t.Helper()
	strs := func(ts []investing.InvestmentType) []string {
		out := make([]string, len(ts))
		for i, v := range ts {
			out[i] = string(v)
		}
		return out
	}
	a := auth.Organization{
		Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(),
		InvestmentTypes: strs(o.Types), DefaultInvestmentTypes: strs(o.Defaults), SignaturePolicy: auth.PolicyRequired, CreatedAt: time.Now().UTC(),
	}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &a, auth.Hash("secret")))
	return investing.Org{ID: a.ID, InvestmentTypes: o.Types, Defaults: o.Defaults}
}

// at is the clock's current time as the service stores it.
func (b bundle) at() time.Time { return b.clock.Now().UTC().Truncate(time.Microsecond) }

// tick advances the clock so that the next write has a new time.
func (b bundle) tick() time.Time {
	b.clock.Advance(time.Minute)
	return b.at()
}

type customerOpts struct {
	ReferenceID *string
	Status      investing.Status // ACTIVE when empty; set by an update after creation
}

func (b bundle) customer(t *testing.T, o customerOpts) investing.Customer {
	t.Helper()
	c, err := b.svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "Mutale", LastName: "Zulu", ReferenceID: o.ReferenceID})
	require.NoError(t, err)
	if o.Status != "" && o.Status != investing.Active {
		c, err = b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: &o.Status})
		require.NoError(t, err)
	}
	return c
}

func (b bundle) accounts(t *testing.T, customerID int64) []investing.Account {
	t.Helper()
	page, err := b.svc.Accounts(b.ctx, b.org, &customerID, investing.PageRequest{Limit: 100})
	require.NoError(t, err)
	return page.Items
}

func (b bundle) portfolios(t *testing.T, customerID int64) []investing.Portfolio {
	t.Helper()
	page, err := b.svc.Portfolios(b.ctx, b.org, customerID, investing.PageRequest{Limit: 100})
	require.NoError(t, err)
	return page.Items
}

// accountOf returns the customer's account of type typ.
func (b bundle) accountOf(t *testing.T, customerID int64, typ investing.InvestmentType) investing.Account {
	t.Helper()
	for _, a := range b.accounts(t, customerID) {
		if a.InvestmentType == typ {
			return a
		}
	}
	t.Fatalf("customer %d has no %s account", customerID, typ)
	return investing.Account{}
}

// portfolioOf returns the portfolio of the account.
func (b bundle) portfolioOf(t *testing.T, a investing.Account) investing.Portfolio {
	t.Helper()
	for _, p := range b.portfolios(t, a.CustomerID) {
		if p.AccountID != nil && *p.AccountID == a.ID {
			return p
		}
	}
	t.Fatalf("account %d has no portfolio", a.ID)
	return investing.Portfolio{}
}

func (b bundle) requireAccount(t *testing.T, id int64, status investing.Status, updated time.Time) {
	t.Helper()
	a, err := b.svc.Account(b.ctx, b.org, id)
	require.NoError(t, err)
	require.Equal(t, status, a.Status, "account %d", id)
	require.Equal(t, updated, a.UpdatedAt, "account %d", id)
}

func (b bundle) requirePortfolio(t *testing.T, id int64, status investing.Status, updated time.Time) {
	t.Helper()
	p, err := b.svc.Portfolio(b.ctx, b.org, id)
	require.NoError(t, err)
	require.Equal(t, status, p.Status, "portfolio %d", id)
	require.Equal(t, updated, p.UpdatedAt, "portfolio %d", id)
}

// requireAll requires every account and portfolio of the customer to have
// the status and update time.
func (b bundle) requireAll(t *testing.T, customerID int64, status investing.Status, updated time.Time) {
	t.Helper()
	for _, a := range b.accounts(t, customerID) {
		require.Equal(t, status, a.Status, "account %d", a.ID)
		require.Equal(t, updated, a.UpdatedAt, "account %d", a.ID)
	}
	for _, p := range b.portfolios(t, customerID) {
		require.Equal(t, status, p.Status, "portfolio %d", p.ID)
		require.Equal(t, updated, p.UpdatedAt, "portfolio %d", p.ID)
	}
}

func TestCreateCustomer(t *testing.T) {
	t.Parallel()
	t.Run("one account and portfolio per default type", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c, err := b.svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "Bwalya", LastName: "Tembo", ReferenceID: ptr("crm-7")})
		require.NoError(t, err)
		at := b.at()
		require.NotZero(t, c.ID)
		require.Equal(t, investing.Customer{
			ID: c.ID, OrganizationID: b.org.ID, FirstName: "Bwalya", LastName: "Tembo", ReferenceID: ptr("crm-7"),
			Status: investing.Active, CreatedAt: at, UpdatedAt: at,
		}, c)
		stored, err := b.svc.Customer(b.ctx, b.org, c.ID)
		require.NoError(t, err)
		require.Equal(t, c, stored)

		accounts := b.accounts(t, c.ID)
		require.Len(t, accounts, 2) // LOCAL_STOCKS is offered but not a default
		byID := map[int64]investing.Account{}
		var types []investing.InvestmentType
		for _, a := range accounts {
			require.Equal(t, investing.Account{
				ID: a.ID, OrganizationID: b.org.ID, CustomerID: c.ID, InvestmentType: a.InvestmentType,
				Currency: investing.USD, Status: investing.Active, CreatedAt: at, UpdatedAt: at,
			}, a)
			byID[a.ID] = a
			types = append(types, a.InvestmentType)
		}
		require.ElementsMatch(t, []investing.InvestmentType{investing.Bonds, investing.Crypto}, types)

		portfolios := b.portfolios(t, c.ID)
		require.Len(t, portfolios, 2)
		linked := map[int64]bool{}
		for _, p := range portfolios {
			require.NotNil(t, p.AccountID)
			a, ok := byID[*p.AccountID]
			require.True(t, ok, "portfolio %d links to account %d, not one of the customer's", p.ID, *p.AccountID)
			linked[a.ID] = true
			require.NotNil(t, p.InvestmentType)
			require.Equal(t, a.InvestmentType, *p.InvestmentType)
			require.Equal(t, investing.USD, p.Currency)
			require.Equal(t, investing.Active, p.Status)
			require.True(t, p.InvestmentAmount.IsZero())
			require.True(t, p.MarketValue.IsZero())
			require.True(t, p.Performance.IsZero())
			require.Equal(t, at, p.CreatedAt)
		}
		require.Len(t, linked, 2, "one portfolio per account")
	})
	t.Run("no default types, no accounts", func(t *testing.T) {
		t.Parallel()
		b := setupWith(t, orgOpts{})
		c, err := b.svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "A", LastName: "B"})
		require.NoError(t, err)
		require.Empty(t, b.accounts(t, c.ID))
		require.Empty(t, b.portfolios(t, c.ID))
	})
	t.Run("all or nothing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// The database knows no such investment type: the account insert
		// fails after the customer's, and the customer must not remain.
		broken := b.org
		broken.Defaults = []investing.InvestmentType{investing.Bonds, "NO_SUCH_TYPE"}
		_, err := b.svc.CreateCustomer(b.ctx, broken, investing.NewCustomer{FirstName: "A", LastName: "B", ReferenceID: ptr("once")})
		require.Error(t, err)
		page, err := b.svc.Customers(b.ctx, b.org, investing.CustomerFilter{}, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		page2, err := b.svc.Accounts(b.ctx, b.org, nil, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page2.Items)
		// Its reference id is free again.
		b.customer(t, customerOpts{ReferenceID: ptr("once")})
	})
	t.Run("reference id taken", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.customer(t, customerOpts{ReferenceID: ptr("dup")})
		_, err := b.svc.CreateCustomer(b.ctx, b.org, investing.NewCustomer{FirstName: "A", LastName: "B", ReferenceID: ptr("dup")})
		requireCode(t, err, errcode.Conflict)
		page, err := b.svc.Accounts(b.ctx, b.org, nil, investing.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Items, 2, "only the first customer's accounts")
	})
}

func TestUpdateCustomer(t *testing.T) {
	t.Parallel()
	for _, status := range []investing.Status{investing.Suspended, investing.Closed} {
		t.Run(string(status)+" cascades", func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			c := b.customer(t, customerOpts{})
			_, err := b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: c.ID, Currency: investing.EUR})
			require.NoError(t, err)
			bystander := b.customer(t, customerOpts{})
			created := b.at()

			at := b.tick()
			got, err := b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: &status})
			require.NoError(t, err)
			require.Equal(t, status, got.Status)
			require.Equal(t, at, got.UpdatedAt)
			require.Equal(t, created, got.CreatedAt)
			require.Len(t, b.accounts(t, c.ID), 2)
			require.Len(t, b.portfolios(t, c.ID), 3)
			b.requireAll(t, c.ID, status, at)
			b.requireAll(t, bystander.ID, investing.Active, created)
		})
	}
	t.Run("reactivation does not cascade", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{Status: investing.Suspended})
		suspended := b.at()
		b.tick()
		got, err := b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: ptr(investing.Active)})
		require.NoError(t, err)
		require.Equal(t, investing.Active, got.Status)
		b.requireAll(t, c.ID, investing.Suspended, suspended)
	})
	t.Run("closed is permanent", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{Status: investing.Closed})
		b.tick()
		for _, in := range []investing.CustomerUpdate{
			{ID: c.ID, Status: ptr(investing.Active)},
			{ID: c.ID, Status: ptr(investing.Suspended)},
			{ID: c.ID, Status: ptr(investing.Closed)},
			{ID: c.ID, FirstName: ptr("Renamed")},
			{ID: c.ID},
		} {
			_, err := b.svc.UpdateCustomer(b.ctx, b.org, in)
			e := requireCode(t, err, errcode.Conflict)
			require.Contains(t, e.Message, "CLOSED")
		}
		stored, err := b.svc.Customer(b.ctx, b.org, c.ID)
		require.NoError(t, err)
		require.Equal(t, c, stored)
	})
	t.Run("partial update", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{ReferenceID: ptr("keep"), Status: investing.Suspended})

		at := b.tick()
		got, err := b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, FirstName: ptr("Natasha")})
		require.NoError(t, err)
		want := c
		want.FirstName, want.UpdatedAt = "Natasha", at
		require.Equal(t, want, got)
		stored, err := b.svc.Customer(b.ctx, b.org, c.ID)
		require.NoError(t, err)
		require.Equal(t, want, stored)

		at = b.tick()
		got, err = b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, LastName: ptr("Lungu"), ReferenceID: ptr("moved")})
		require.NoError(t, err)
		want.LastName, want.ReferenceID, want.UpdatedAt = "Lungu", ptr("moved"), at
		require.Equal(t, want, got)
		stored, err = b.svc.Customer(b.ctx, b.org, c.ID)
		require.NoError(t, err)
		require.Equal(t, want, stored)
	})
	t.Run("reference id taken", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.customer(t, customerOpts{ReferenceID: ptr("first")})
		second := b.customer(t, customerOpts{ReferenceID: ptr("second")})
		b.tick()
		_, err := b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: second.ID, FirstName: ptr("X"), ReferenceID: ptr("first")})
		e := requireCode(t, err, errcode.Conflict)
		require.Contains(t, e.Message, `"first"`)
		stored, err := b.svc.Customer(b.ctx, b.org, second.ID)
		require.NoError(t, err)
		require.Equal(t, second, stored)
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		other := setup(t)
		theirs := other.customer(t, customerOpts{})
		for _, id := range []int64{theirs.ID, theirs.ID + 1_000_000} {
			_, err := b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: id, Status: ptr(investing.Closed)})
			requireCode(t, err, errcode.NotFound)
		}
		stored, err := other.svc.Customer(other.ctx, other.org, theirs.ID)
		require.NoError(t, err)
		require.Equal(t, theirs, stored)
	})
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	t.Run("with its portfolio", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		at := b.tick()
		a, err := b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: c.ID, Currency: investing.EUR, InvestmentType: investing.LocalStocks})
		require.NoError(t, err)
		require.NotZero(t, a.ID)
		require.Equal(t, investing.Account{
			ID: a.ID, OrganizationID: b.org.ID, CustomerID: c.ID, InvestmentType: investing.LocalStocks,
			Currency: investing.EUR, Status: investing.Active, CreatedAt: at, UpdatedAt: at,
		}, a)
		stored, err := b.svc.Account(b.ctx, b.org, a.ID)
		require.NoError(t, err)
		require.Equal(t, a, stored)

		require.Len(t, b.portfolios(t, c.ID), 3)
		p := b.portfolioOf(t, a)
		require.Equal(t, investing.LocalStocks, *p.InvestmentType)
		require.Equal(t, investing.EUR, p.Currency)
		require.Equal(t, investing.Active, p.Status)
		require.Equal(t, at, p.CreatedAt)
	})
	t.Run("type not offered", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		_, err := b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: c.ID, Currency: investing.USD, InvestmentType: investing.ForeignExchange})
		e := requireCode(t, err, errcode.Unprocessable)
		require.Contains(t, e.Message, string(investing.ForeignExchange))
		require.Len(t, b.accounts(t, c.ID), 2)
		require.Len(t, b.portfolios(t, c.ID), 2)
	})
	t.Run("duplicate type", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		_, err := b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: c.ID, Currency: investing.EUR, InvestmentType: investing.Bonds})
		requireCode(t, err, errcode.Conflict)
		require.Len(t, b.accounts(t, c.ID), 2)
		require.Len(t, b.portfolios(t, c.ID), 2, "no portfolio without its account")
	})
	t.Run("takes a suspended customer's status", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{Status: investing.Suspended})
		a, err := b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: c.ID, Currency: investing.USD, InvestmentType: investing.LocalStocks})
		require.NoError(t, err)
		require.Equal(t, investing.Suspended, a.Status)
		require.Equal(t, investing.Suspended, b.portfolioOf(t, a).Status)
	})
	t.Run("closed customer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{Status: investing.Closed})
		_, err := b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: c.ID, Currency: investing.USD, InvestmentType: investing.LocalStocks})
		requireCode(t, err, errcode.Conflict)
		require.Len(t, b.accounts(t, c.ID), 2)
	})
	t.Run("unknown customer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		theirs := setup(t).customer(t, customerOpts{})
		for _, id := range []int64{theirs.ID, theirs.ID + 1_000_000} {
			_, err := b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: id, Currency: investing.USD, InvestmentType: investing.LocalStocks})
			requireCode(t, err, errcode.NotFound)
		}
	})
	t.Run("concurrent duplicates", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		const n = 8
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = b.svc.CreateAccount(b.ctx, b.org, investing.NewAccount{CustomerID: c.ID, Currency: investing.USD, InvestmentType: investing.LocalStocks})
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			requireCode(t, err, errcode.Conflict)
		}
		require.Equal(t, 1, ok)
		require.Len(t, b.accounts(t, c.ID), 3)
		require.Len(t, b.portfolios(t, c.ID), 3)
	})
}

func TestUpdateAccount(t *testing.T) {
	t.Parallel()
	t.Run("not ACTIVE under a suspended customer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{Status: investing.Suspended})
		suspended := b.at()
		bonds := b.accountOf(t, c.ID, investing.Bonds)
		b.tick()
		_, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: bonds.ID, Status: ptr(investing.Active)})
		e := requireCode(t, err, errcode.Conflict)
		require.Contains(t, e.Message, "SUSPENDED")
		b.requireAccount(t, bonds.ID, investing.Suspended, suspended)

		// Once the customer is ACTIVE again, so may the account be; its
		// portfolio is not reactivated with it.
		_, err = b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: ptr(investing.Active)})
		require.NoError(t, err)
		at := b.tick()
		a, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: bonds.ID, Status: ptr(investing.Active)})
		require.NoError(t, err)
		require.Equal(t, investing.Active, a.Status)
		b.requireAccount(t, bonds.ID, investing.Active, at)
		b.requirePortfolio(t, b.portfolioOf(t, bonds).ID, investing.Suspended, suspended)
	})
	t.Run("SUSPENDED cascades to its portfolio only", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		loose, err := b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: c.ID, Currency: investing.USD})
		require.NoError(t, err)
		created := b.at()
		bonds, crypto := b.accountOf(t, c.ID, investing.Bonds), b.accountOf(t, c.ID, investing.Crypto)

		at := b.tick()
		a, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: bonds.ID, Status: ptr(investing.Suspended)})
		require.NoError(t, err)
		require.Equal(t, investing.Suspended, a.Status)
		b.requireAccount(t, bonds.ID, investing.Suspended, at)
		b.requirePortfolio(t, b.portfolioOf(t, bonds).ID, investing.Suspended, at)
		b.requireAccount(t, crypto.ID, investing.Active, created)
		b.requirePortfolio(t, b.portfolioOf(t, crypto).ID, investing.Active, created)
		b.requirePortfolio(t, loose.ID, investing.Active, created)
		stored, err := b.svc.Customer(b.ctx, b.org, c.ID)
		require.NoError(t, err)
		require.Equal(t, investing.Active, stored.Status)
	})
	t.Run("CLOSED is permanent", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		bonds := b.accountOf(t, c.ID, investing.Bonds)
		at := b.tick()
		closed, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: bonds.ID, Status: ptr(investing.Closed)})
		require.NoError(t, err)
		b.requirePortfolio(t, b.portfolioOf(t, bonds).ID, investing.Closed, at)

		b.tick()
		for _, in := range []investing.AccountUpdate{
			{ID: bonds.ID, Status: ptr(investing.Active)},
			{ID: bonds.ID, Status: ptr(investing.Suspended)},
			{ID: bonds.ID, Currency: ptr(investing.EUR)},
		} {
			_, err := b.svc.UpdateAccount(b.ctx, b.org, in)
			requireCode(t, err, errcode.Conflict)
		}
		stored, err := b.svc.Account(b.ctx, b.org, bonds.ID)
		require.NoError(t, err)
		require.Equal(t, closed, stored)
	})
	t.Run("currency", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		bonds := b.accountOf(t, c.ID, investing.Bonds)
		at := b.tick()
		a, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: bonds.ID, Currency: ptr(investing.ZMW)})
		require.NoError(t, err)
		want := bonds
		want.Currency, want.UpdatedAt = investing.ZMW, at
		require.Equal(t, want, a)
		stored, err := b.svc.Account(b.ctx, b.org, bonds.ID)
		require.NoError(t, err)
		require.Equal(t, want, stored)
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		other := setup(t)
		theirs := other.accountOf(t, other.customer(t, customerOpts{}).ID, investing.Bonds)
		for _, id := range []int64{theirs.ID, theirs.ID + 1_000_000} {
			_, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: id, Status: ptr(investing.Closed)})
			requireCode(t, err, errcode.NotFound)
		}
		other.requireAccount(t, theirs.ID, investing.Active, theirs.UpdatedAt)
	})
}

func TestCreatePortfolio(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.customer(t, customerOpts{})
	at := b.tick()
	p, err := b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: c.ID, Currency: investing.ZMW})
	require.NoError(t, err)
	require.NotZero(t, p.ID)
	require.Nil(t, p.AccountID)
	require.Nil(t, p.InvestmentType)
	require.Equal(t, investing.ZMW, p.Currency)
	require.Equal(t, investing.Active, p.Status)
	require.True(t, p.InvestmentAmount.IsZero())
	require.Equal(t, at, p.CreatedAt)
	stored, err := b.svc.Portfolio(b.ctx, b.org, p.ID)
	require.NoError(t, err)
	require.Equal(t, p.ID, stored.ID)
	require.Nil(t, stored.AccountID)
	require.Nil(t, stored.InvestmentType)

	suspended := b.customer(t, customerOpts{Status: investing.Suspended})
	p, err = b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: suspended.ID, Currency: investing.USD})
	require.NoError(t, err)
	require.Equal(t, investing.Suspended, p.Status)

	closed := b.customer(t, customerOpts{Status: investing.Closed})
	_, err = b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: closed.ID, Currency: investing.USD})
	requireCode(t, err, errcode.Conflict)
	require.Len(t, b.portfolios(t, closed.ID), 2)

	_, err = b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: c.ID + 1_000_000, Currency: investing.USD})
	requireCode(t, err, errcode.NotFound)
}

func TestUpdatePortfolio(t *testing.T) {
	t.Parallel()
	t.Run("not ACTIVE under a suspended customer", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		loose, err := b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: c.ID, Currency: investing.USD})
		require.NoError(t, err)
		_, err = b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: ptr(investing.Suspended)})
		require.NoError(t, err)
		suspended := b.at()
		b.tick()
		_, err = b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: loose.ID, Status: ptr(investing.Active)})
		e := requireCode(t, err, errcode.Conflict)
		require.Contains(t, e.Message, "customer")
		b.requirePortfolio(t, loose.ID, investing.Suspended, suspended)

		_, err = b.svc.UpdateCustomer(b.ctx, b.org, investing.CustomerUpdate{ID: c.ID, Status: ptr(investing.Active)})
		require.NoError(t, err)
		at := b.tick()
		_, err = b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: loose.ID, Status: ptr(investing.Active)})
		require.NoError(t, err)
		b.requirePortfolio(t, loose.ID, investing.Active, at)
	})
	t.Run("not ACTIVE under a suspended account", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		bonds := b.accountOf(t, c.ID, investing.Bonds)
		_, err := b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: bonds.ID, Status: ptr(investing.Suspended)})
		require.NoError(t, err)
		suspended := b.at()
		p := b.portfolioOf(t, bonds)
		b.tick()
		_, err = b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: p.ID, Status: ptr(investing.Active)})
		e := requireCode(t, err, errcode.Conflict)
		require.Contains(t, e.Message, "account")
		b.requirePortfolio(t, p.ID, investing.Suspended, suspended)

		_, err = b.svc.UpdateAccount(b.ctx, b.org, investing.AccountUpdate{ID: bonds.ID, Status: ptr(investing.Active)})
		require.NoError(t, err)
		at := b.tick()
		_, err = b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: p.ID, Status: ptr(investing.Active)})
		require.NoError(t, err)
		b.requirePortfolio(t, p.ID, investing.Active, at)
	})
	t.Run("CLOSED is permanent", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		c := b.customer(t, customerOpts{})
		p, err := b.svc.CreatePortfolio(b.ctx, b.org, investing.NewPortfolio{CustomerID: c.ID, Currency: investing.USD})
		require.NoError(t, err)
		closed, err := b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: p.ID, Status: ptr(investing.Closed), Currency: ptr(investing.EUR)})
		require.NoError(t, err)
		require.Equal(t, investing.Closed, closed.Status)
		require.Equal(t, investing.EUR, closed.Currency)
		b.tick()
		for _, in := range []investing.PortfolioUpdate{
			{ID: p.ID, Status: ptr(investing.Active)},
			{ID: p.ID, Currency: ptr(investing.USD)},
		} {
			_, err := b.svc.UpdatePortfolio(b.ctx, b.org, in)
			requireCode(t, err, errcode.Conflict)
		}
		stored, err := b.svc.Portfolio(b.ctx, b.org, p.ID)
		require.NoError(t, err)
		require.Equal(t, investing.Closed, stored.Status)
		require.Equal(t, investing.EUR, stored.Currency)
		require.Equal(t, closed.UpdatedAt, stored.UpdatedAt)
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		other := setup(t)
		theirs := other.portfolios(t, other.customer(t, customerOpts{}).ID)[0]
		_, err := b.svc.UpdatePortfolio(b.ctx, b.org, investing.PortfolioUpdate{ID: theirs.ID, Status: ptr(investing.Closed)})
		requireCode(t, err, errcode.NotFound)
		other.requirePortfolio(t, theirs.ID, investing.Active, theirs.UpdatedAt)
	})
}

func TestLists(t *testing.T) {
	t.Parallel()
	b := setup(t)
	first, second := b.customer(t, customerOpts{}), b.customer(t, customerOpts{})
	theirs := setup(t).customer(t, customerOpts{})

	all, err := b.svc.Accounts(b.ctx, b.org, nil, investing.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.EqualValues(t, 4, all.Total)
	for _, a := range all.Items {
		require.Contains(t, []int64{first.ID, second.ID}, a.CustomerID)
	}
	require.Len(t, b.accounts(t, second.ID), 2)

	for _, id := range []int64{theirs.ID, theirs.ID + 1_000_000} {
		_, err = b.svc.Accounts(b.ctx, b.org, &id, investing.PageRequest{Limit: 10})
		requireCode(t, err, errcode.NotFound)
		_, err = b.svc.Portfolios(b.ctx, b.org, id, investing.PageRequest{Limit: 10})
		requireCode(t, err, errcode.NotFound)
		_, err = b.svc.Customer(b.ctx, b.org, id)
		requireCode(t, err, errcode.NotFound)
	}
}

func TestInvestments(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ids := func(p investing.Page[investing.Investment]) []int64 {
		out := []int64{}
		for _, inv := range p.Items {
			out = append(out, inv.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		req  investing.PageRequest
		want []int64
	}{
		{"second page", investing.PageRequest{Page: 1, Limit: 2}, []int64{3, 4}},
		{"second page, descending", investing.PageRequest{Page: 1, Limit: 2, Desc: true}, []int64{4, 3}},
		{"first page, descending", investing.PageRequest{Limit: 2, Desc: true}, []int64{6, 5}},
		{"partial last page", investing.PageRequest{Page: 1, Limit: 4}, []int64{5, 6}},
		{"past the end", investing.PageRequest{Page: 3, Limit: 2}, []int64{}},
		{"all", investing.PageRequest{Limit: 1000}, []int64{1, 2, 3, 4, 5, 6}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			page, err := b.svc.Investments(b.ctx, tc.req)
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(page))
			require.EqualValues(t, 6, page.Total)
		})
	}

	inv, err := b.svc.Investment(b.ctx, 3)
	require.NoError(t, err)
	require.Equal(t, investing.Bonds, inv.Type)
	_, err = b.svc.Investment(b.ctx, 7)
	requireCode(t, err, errcode.NotFound)
}

// requireCode requires err to be an *errcode.Error with code, and returns it.
func requireCode(t *testing.T, err error, code errcode.Code) *errcode.Error {
	t.Helper()
	e, ok := errcode.As(err)
	require.True(t, ok, "want a %s error, got %v", code, err)
	require.Equal(t, code, e.Code, e.Message)
	return e
}

func ptr[T any](v T) *T { return &v }
