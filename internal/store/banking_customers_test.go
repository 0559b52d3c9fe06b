package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

type bankCustomerOpts struct {
	Type         banking.CustomerType   // CORPORATION when empty
	Status       banking.CustomerStatus // ACTIVE when empty
	CreatedAt    time.Time              // t0 when zero
	LastActivity time.Time              // CreatedAt when zero
}

// bankCustomer stores a customer, as an approval would: its application,
// the customer, its individuals (corporations) and a USD account.
func (f fixture) bankCustomer(t *testing.T, orgID int64, o bankCustomerOpts) banking.CustomerDetail {
	t.Helper()
	a := f.application(t, orgID, applicationOpts{Type: o.Type})
	at := orTime(o.CreatedAt)
	c := banking.CustomerDetail{Customer: banking.Customer{
		ID: newBankingID("cust_"), OrganizationID: orgID, ApplicationID: a.ID, Type: a.Type,
		Status: or(o.Status, banking.Active), Email: a.Email, Phone: a.Phone, Address: a.Address,
		FirstName: a.FirstName, LastName: a.LastName, LegalName: a.LegalName, RegistrationNumber: a.RegistrationNumber,
		LastActivityAt: at, CreatedAt: at, UpdatedAt: at,
	}}
	if !o.LastActivity.IsZero() {
		c.LastActivityAt = o.LastActivity
	}
	if a.DateOfBirth != nil {
		c.DateOfBirth = *a.DateOfBirth
	}
	if a.Type == banking.TypeCorporation {
		c.Individuals = []banking.Individual{
			{ID: newBankingID("ind_"), OrganizationID: orgID, CustomerID: c.ID, Position: 0, Role: banking.BeneficialOwner,
				FirstName: "Jane", LastName: "Smith", DateOfBirth: *day(1980, 5, 1), Email: "jane@acmecorp.com", Address: bankAddress,
				OwnershipPercentage: ptr(decimal.RequireFromString("30")), CreatedAt: at, UpdatedAt: at},
			{ID: newBankingID("ind_"), OrganizationID: orgID, CustomerID: c.ID, Position: 1, Role: banking.ControllingPerson,
				FirstName: "Sam", LastName: "Lee", DateOfBirth: *day(1975, 2, 3), Phone: "+14155550100", Address: bankAddress,
				CreatedAt: at, UpdatedAt: at},
		}
	}
	c.Accounts = []banking.Account{{ID: newBankingID("acc_"), OrganizationID: orgID, CustomerID: c.ID, Currency: "USD", Status: banking.AccountActive, CreatedAt: at, UpdatedAt: at}}
	require.NoError(t, f.s.Banking().CreateCustomer(f.ctx, &c))
	return c
}

func requireCustomerDetail(t *testing.T, want, got banking.CustomerDetail) {
	t.Helper()
	require.Len(t, got.Individuals, len(want.Individuals))
	want.Individuals = append([]banking.Individual(nil), want.Individuals...)
	got.Individuals = append([]banking.Individual(nil), got.Individuals...)
	for i := range want.Individuals {
		requireOwnership(t, want.Individuals[i].OwnershipPercentage, got.Individuals[i].OwnershipPercentage)
		want.Individuals[i].OwnershipPercentage, got.Individuals[i].OwnershipPercentage = nil, nil
	}
	require.Equal(t, want, got)
}

func TestBankingCustomerRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		for _, typ := range []banking.CustomerType{banking.TypeIndividual, banking.TypeCorporation} {
			c := f.bankCustomer(t, f.org, bankCustomerOpts{Type: typ, Status: banking.Pending, CreatedAt: t0.Add(time.Second)})
			got, err := repo.CustomerDetail(f.ctx, f.org, c.ID)
			require.NoError(t, err)
			requireCustomerDetail(t, c, got)

			plain, err := repo.Customer(f.ctx, f.org, c.ID, true)
			require.NoError(t, err)
			require.Equal(t, c.Customer, plain)

			_, err = repo.CustomerDetail(f.ctx, f.other, c.ID)
			requireCode(t, err, errcode.NotFound)
			_, err = repo.Customer(f.ctx, f.other, c.ID, false)
			requireCode(t, err, errcode.NotFound)
		}
	})
}

func TestBankingIndividuals(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		c := f.bankCustomer(t, f.org, bankCustomerOpts{})
		other := f.bankCustomer(t, f.org, bankCustomerOpts{})
		ind := c.Individuals[1]

		got, err := repo.Individual(f.ctx, f.org, c.ID, ind.ID, true)
		require.NoError(t, err)
		require.Equal(t, ind, got)
		_, err = repo.Individual(f.ctx, f.org, other.ID, ind.ID, false)
		requireCode(t, err, errcode.NotFound)
		_, err = repo.Individual(f.ctx, f.other, c.ID, ind.ID, false)
		requireCode(t, err, errcode.NotFound)

		// SaveIndividual writes contact details, address and time, nothing else.
		changed := ind
		changed.Email, changed.Phone, changed.Address.City, changed.UpdatedAt = "sam@acmecorp.com", "+14155550199", "Oakland", t0.Add(time.Hour)
		changed.FirstName = "Ignored"
		require.NoError(t, repo.SaveIndividual(f.ctx, &changed))
		got, err = repo.Individual(f.ctx, f.org, c.ID, ind.ID, false)
		require.NoError(t, err)
		changed.FirstName = ind.FirstName
		require.Equal(t, changed, got)
	})
}

func TestSaveBankingCustomerAndCloseAccounts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		c := f.bankCustomer(t, f.org, bankCustomerOpts{Type: banking.TypeIndividual})
		bystander := f.bankCustomer(t, f.org, bankCustomerOpts{})

		changed := c.Customer
		changed.Email, changed.Phone, changed.Address.Line2 = "john@example.org", "+15550001111", ""
		changed.Status, changed.LastActivityAt, changed.UpdatedAt = banking.Closed, t0.Add(time.Hour), t0.Add(2*time.Hour)
		require.NoError(t, repo.SaveCustomer(f.ctx, &changed))
		at := t0.Add(3 * time.Hour)
		require.NoError(t, repo.CloseAccounts(f.ctx, f.org, c.ID, at))

		got, err := repo.CustomerDetail(f.ctx, f.org, c.ID)
		require.NoError(t, err)
		require.Equal(t, changed, got.Customer)
		require.Equal(t, banking.AccountClosed, got.Accounts[0].Status)
		require.Equal(t, at, got.Accounts[0].UpdatedAt)

		untouched, err := repo.CustomerDetail(f.ctx, f.org, bystander.ID)
		require.NoError(t, err)
		require.Equal(t, banking.AccountActive, untouched.Accounts[0].Status)
	})
}

// TestUpdateBankingCustomerThroughClosure: UpdateCustomer saves what the
// closure leaves, of the customer it names (whatever the closure does to
// the identifiers); a closure's error saves nothing; another
// organization's customer is NotFound and the closure never sees it.
func TestUpdateBankingCustomerThroughClosure(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		c := f.bankCustomer(t, f.org, bankCustomerOpts{Type: banking.TypeIndividual})

		got, err := repo.UpdateCustomer(f.ctx, f.org, c.ID, func(draft *banking.Customer) error {
			require.Equal(t, c.Customer, *draft, "the closure gets the stored customer")
			draft.Email, draft.Status, draft.UpdatedAt = "new@example.org", banking.Frozen, t0.Add(time.Hour)
			draft.ID, draft.OrganizationID = "cust_other", f.other
			return nil
		})
		require.NoError(t, err)
		want := c.Customer
		want.Email, want.Status, want.UpdatedAt = "new@example.org", banking.Frozen, t0.Add(time.Hour)
		require.Equal(t, want, got)
		stored, err := repo.Customer(f.ctx, f.org, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, want, stored)

		refused := errors.New("the closure refuses")
		_, err = repo.UpdateCustomer(f.ctx, f.org, c.ID, func(draft *banking.Customer) error {
			draft.Email = "lost@example.org"
			return refused
		})
		require.ErrorIs(t, err, refused)
		stored, err = repo.Customer(f.ctx, f.org, c.ID, false)
		require.NoError(t, err)
		require.Equal(t, want, stored, "nothing saved")

		_, err = repo.UpdateCustomer(f.ctx, f.other, c.ID, func(*banking.Customer) error {
			t.Error("the closure ran on another organization's customer")
			return nil
		})
		require.True(t, errcode.Is(err, errcode.NotFound), "%v", err)
	})
}

// TestUpdateBankingCustomerLocksTheRow: an UpdateCustomer meeting one in
// progress waits for it (FOR NO KEY UPDATE), then changes what it committed: no
// change is lost.
func TestUpdateBankingCustomerLocksTheRow(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setup(t, s)
	repo := s.Banking()
	c := f.bankCustomer(t, f.org, bankCustomerOpts{Type: banking.TypeIndividual})
	appendToEmail := func(suffix string) func(*banking.Customer) error {
		return func(draft *banking.Customer) error {
			draft.Email += suffix
			return nil
		}
	}
	release := holdTx(t, s, func(ctx context.Context) error {
		_, err := repo.UpdateCustomer(ctx, f.org, c.ID, appendToEmail(".first"))
		return err
	})
	done := make(chan error, 1)
	go func() {
		_, err := repo.UpdateCustomer(f.ctx, f.org, c.ID, appendToEmail(".second"))
		done <- err
	}()
	require.Eventually(t, func() bool {
		var n int64
		require.NoError(t, s.DB.Raw(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
AND wait_event_type = 'Lock' AND query LIKE '%FOR NO KEY UPDATE%' AND query LIKE '%banking_customers%'`).Scan(&n).Error)
		return n > 0
	}, 10*time.Second, 5*time.Millisecond, "the second update waits for the first")
	select {
	case err := <-done:
		t.Fatalf("the second update did not wait for the first: %v", err)
	default:
	}
	release()
	require.NoError(t, <-done)
	stored, err := repo.Customer(f.ctx, f.org, c.ID, false)
	require.NoError(t, err)
	require.Equal(t, c.Email+".first.second", stored.Email, "both changes are kept")
}

func TestListBankingCustomers(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		type made struct {
			id     string
			typ    banking.CustomerType
			status banking.CustomerStatus
		}
		var all []made
		types := []banking.CustomerType{banking.TypeIndividual, banking.TypeCorporation}
		statuses := []banking.CustomerStatus{banking.Active, banking.Pending, banking.Frozen}
		for i := range 9 {
			// Three customers share each creation time: ties are broken by id.
			c := f.bankCustomer(t, f.org, bankCustomerOpts{
				Type: types[i%2], Status: statuses[i%3], CreatedAt: t0.Add(time.Duration(i/3) * time.Microsecond),
			})
			all = append(all, made{c.ID, c.Type, c.Status})
		}
		f.bankCustomer(t, f.other, bankCustomerOpts{})

		list := func(filter banking.CustomerFilter, limit int) []string {
			var ids []string
			var after *banking.Position
			for pages := 0; ; pages++ {
				require.LessOrEqual(t, pages, len(all), "paging does not end: the position does not move on")
				page, err := repo.ListCustomers(f.ctx, f.org, filter, after, limit)
				require.NoError(t, err)
				for _, c := range page {
					ids = append(ids, c.ID)
				}
				if len(page) < limit {
					return ids
				}
				last := page[len(page)-1]
				after = &banking.Position{CreatedAt: last.CreatedAt, ID: last.ID}
			}
		}
		for _, typ := range append([]banking.CustomerType{""}, types...) {
			for _, status := range append([]banking.CustomerStatus{""}, statuses...) {
				var filter banking.CustomerFilter
				var want []string
				if typ != "" {
					filter.Type = &typ
				}
				if status != "" {
					filter.Status = &status
				}
				for _, m := range all {
					if (typ == "" || m.typ == typ) && (status == "" || m.status == status) {
						want = append(want, m.id)
					}
				}
				want = sortNewestFirst(t, s, "banking_customers", want)
				for _, limit := range []int{1, 2, 100} {
					require.Equal(t, want, list(filter, limit), "type %q status %q limit %d", typ, status, limit)
				}
			}
		}
	})
}

func TestMarkDormant(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Banking()
		// Times long before every other test's rows: the sweep is global.
		old := time.Date(1991, 1, 1, 0, 0, 0, 0, time.UTC)
		cutoff := old.AddDate(0, 1, 0)
		var stale []string
		for range 3 {
			stale = append(stale, f.bankCustomer(t, f.org, bankCustomerOpts{LastActivity: old}).ID)
		}
		elsewhere := f.bankCustomer(t, f.other, bankCustomerOpts{LastActivity: old})
		recent := f.bankCustomer(t, f.org, bankCustomerOpts{LastActivity: cutoff})
		frozen := f.bankCustomer(t, f.org, bankCustomerOpts{LastActivity: old, Status: banking.Frozen})

		at := t0.Add(time.Hour)
		from := []banking.CustomerStatus{banking.Active}
		first, err := repo.MarkDormant(f.ctx, from, cutoff, at, 3)
		require.NoError(t, err)
		require.Len(t, first, 3, "at most the limit")
		second, err := repo.MarkDormant(f.ctx, from, cutoff, at, 3)
		require.NoError(t, err)
		require.Len(t, second, 1)
		require.ElementsMatch(t, []banking.CustomerRef{
			{OrganizationID: f.org, ID: stale[0]}, {OrganizationID: f.org, ID: stale[1]}, {OrganizationID: f.org, ID: stale[2]},
			{OrganizationID: f.other, ID: elsewhere.ID},
		}, append(first, second...), "it names each customer it moved, with its organization")
		n, err := repo.MarkDormant(f.ctx, from, cutoff, at, 3)
		require.NoError(t, err)
		require.Empty(t, n)

		status := func(orgID int64, id string) banking.Customer {
			c, err := repo.Customer(f.ctx, orgID, id, false)
			require.NoError(t, err)
			return c
		}
		for _, id := range stale {
			c := status(f.org, id)
			require.Equal(t, banking.Dormant, c.Status)
			require.Equal(t, at, c.UpdatedAt)
			require.Equal(t, old, c.LastActivityAt, "the sweep is not activity")
		}
		require.Equal(t, banking.Dormant, status(f.other, elsewhere.ID).Status, "every organization is swept")
		require.Equal(t, banking.Active, status(f.org, recent.ID).Status, "activity at the cutoff is recent enough")
		require.Equal(t, banking.Frozen, status(f.org, frozen.ID).Status, "only the given statuses move")
	})
}

func TestBankingCustomerConstraints(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		type names struct {
			typ, status, first, last, legal, registration string
			birth                                         any
		}
		insert := func(n names) error {
			a := f.application(t, f.org, applicationOpts{})
			return f.exec(`INSERT INTO banking_customers (id, organization_id, application_id, type, status, email, phone, first_name, last_name, date_of_birth, legal_name, registration_number,
  address_line1, address_city, address_postal_code, address_country, last_activity_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, 'a@b.co', '+1555', ?, ?, ?, ?, ?, 'L1', 'C', 'P', 'US', ?, ?, ?)`,
				newBankingID("cust_"), f.org, a.ID, n.typ, n.status, n.first, n.last, n.birth, n.legal, n.registration, t0, t0, t0)
		}
		require.Error(t, insert(names{"CORPORATION", "SUSPENDED", "", "", "Acme", "R1", nil}), "unknown status")
		require.Error(t, insert(names{"CORPORATION", "ACTIVE", "Jane", "", "Acme", "R1", nil}), "a corporation has no first name")
		require.Error(t, insert(names{"INDIVIDUAL", "ACTIVE", "", "", "", "", nil}), "a person has a name")
		require.Error(t, insert(names{"INDIVIDUAL", "ACTIVE", "Jane", "Doe", "", "", nil}), "and a date of birth")
		require.NoError(t, insert(names{"CORPORATION", "ACTIVE", "", "", "Acme", "R1", nil}))
		require.NoError(t, insert(names{"INDIVIDUAL", "ACTIVE", "Jane", "Doe", "", "", *day(1990, 1, 1)}))

		c := f.bankCustomer(t, f.org, bankCustomerOpts{})
		owner := func(pct string) error {
			return f.exec(`INSERT INTO banking_individuals (id, organization_id, customer_id, position, role, first_name, last_name, date_of_birth,
  address_line1, address_city, address_postal_code, address_country, ownership_percentage, created_at, updated_at)
VALUES (?, ?, ?, 7, 'BENEFICIAL_OWNER', 'A', 'B', ?, 'L1', 'C', 'P', 'US', ?, ?, ?)`, newBankingID("ind_"), f.org, c.ID, *day(1990, 1, 1), pct, t0, t0)
		}
		require.Error(t, owner("25"), "a beneficial owner owns more than 25%")
		require.NoError(t, owner("25.01"))

		theirs := f.bankCustomer(t, f.other, bankCustomerOpts{})
		account := func(orgID int64) error {
			return f.exec(`INSERT INTO banking_accounts (id, organization_id, customer_id, currency, status, created_at, updated_at) VALUES (?, ?, ?, 'USD', 'ACTIVE', ?, ?)`,
				newBankingID("acc_"), orgID, theirs.ID, t0, t0)
		}
		require.Error(t, account(f.org), "an account belongs to its customer's organization")
		require.NoError(t, account(f.other))
	})
}
