package store_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// Valid Stellar account ids (published ones) for the rows the tests write.
const (
	issuerA = "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN"
	issuerB = "GBBD47IF6LWK7P7MDEVSCWR7DPUWV3NY3DTQEVFL4NAT4AQH3ZLLFLA5"
)

// walletFixture is one test's wallet rows: a counterparty of the test's
// organization, a second counterparty of the same organization, and one of
// another organization, whose rows must never leak into the first's.
type walletFixture struct {
	fixture
	repo        *store.WalletRepo
	cp, sibling wallet.Counterparty
	otherOrgCp  wallet.Counterparty
}

func setupWallet(t *testing.T, s *store.Store) walletFixture {
	t.Helper()
	f := walletFixture{fixture: setup(t, s), repo: s.Wallet()}
	f.cp = f.counterparty(t, f.org, "Zambezi Bank")
	f.sibling = f.counterparty(t, f.org, "Kafue Bank")
	f.otherOrgCp = f.counterparty(t, f.other, "Other Bank")
	return f
}

func (f walletFixture) counterparty(t *testing.T, orgID int64, name string) wallet.Counterparty {
	t.Helper()
	c := wallet.Counterparty{GUID: uuid.New(), OrganizationID: orgID, Name: name, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, f.repo.CreateCounterparty(f.ctx, &c))
	require.NotZero(t, c.ID)
	return c
}

// walletCustomer inserts c (org, counterparty, guid, asset and times filled
// in when zero) into cp.
func (f walletFixture) walletCustomer(t *testing.T, cp wallet.Counterparty, c wallet.Customer) wallet.Customer {
	t.Helper()
	c.GUID, c.OrganizationID, c.CounterpartyID = uuid.New(), cp.OrganizationID, cp.ID
	c.AssetCode, c.AssetIssuer = or(c.AssetCode, "ZMWT"), or(c.AssetIssuer, issuerA)
	c.CreatedAt, c.UpdatedAt = orTime(c.CreatedAt), orTime(c.UpdatedAt)
	require.NoError(t, f.repo.CreateCustomer(f.ctx, &c))
	require.NotZero(t, c.ID)
	return c
}

func (f walletFixture) walletAccount(t *testing.T, c wallet.Customer, iban *string) wallet.Account {
	t.Helper()
	a := wallet.Account{
		GUID: uuid.New(), OrganizationID: c.OrganizationID, CounterpartyID: c.CounterpartyID, CustomerID: c.ID, IBAN: iban,
		AssetCode: c.AssetCode, AssetIssuer: c.AssetIssuer, Balance: decimal.Zero, CreatedAt: t0, UpdatedAt: t0,
	}
	require.NoError(t, f.repo.CreateAccount(f.ctx, &a))
	require.NotZero(t, a.ID)
	return a
}

func requireReason(t *testing.T, err error, code errcode.Code, reason string) *errcode.Error {
	t.Helper()
	e := requireCode(t, err, code)
	require.Equal(t, reason, e.Reason)
	return e
}

func TestWalletCounterparties(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setupWallet(t, s)
		got, err := f.repo.Counterparty(f.ctx, f.org, f.cp.GUID)
		require.NoError(t, err)
		require.Equal(t, f.cp, got)

		_, err = f.repo.Counterparty(f.ctx, f.other, f.cp.GUID)
		requireReason(t, err, errcode.NotFound, wallet.ReasonCounterpartyNotFound)
		_, err = f.repo.Counterparty(f.ctx, f.org, uuid.New())
		requireReason(t, err, errcode.NotFound, wallet.ReasonCounterpartyNotFound)

		third := f.counterparty(t, f.org, "Luangwa Bank")
		for _, tc := range []struct {
			p    wallet.PageRequest
			want []wallet.Counterparty
		}{
			{wallet.PageRequest{Limit: 10}, []wallet.Counterparty{f.cp, f.sibling, third}},
			{wallet.PageRequest{Limit: 2}, []wallet.Counterparty{f.cp, f.sibling}},
			{wallet.PageRequest{Offset: 2, Limit: 2}, []wallet.Counterparty{third}},
			{wallet.PageRequest{Offset: 5, Limit: 2}, []wallet.Counterparty{}},
		} {
			page, err := f.repo.ListCounterparties(f.ctx, f.org, tc.p)
			require.NoError(t, err)
			require.Equal(t, tc.want, page.Items, "%+v", tc.p)
			require.EqualValues(t, 3, page.Total, "%+v", tc.p)
		}
	})
}

func TestWalletCustomerRoundTrip(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setupWallet(t, s)
		branch := uuid.New()
		full := f.walletCustomer(t, f.cp, wallet.Customer{
			Login: ptr("+260971234567"), Name: ptr("Chanda"), Surname: ptr("Phiri"), PaternalName: ptr("Mulenga"),
			PhoneNumber: ptr("+260971234567"), Segment: ptr(wallet.ProfessionalIndemnity), Status: ptr("verified"),
			KYCLevel: 3, IsDisabled: true, BranchGUID: &branch,
			BalanceAllowed: decimal.RequireFromString("922337203685.4775807"), BalanceAssetCode: ptr("USDC"), BalanceAssetIssuer: ptr(issuerB),
			AssetCode: "EURT", AssetIssuer: issuerB,
			CreatedAt: time.Date(2030, 2, 3, 4, 5, 6, 789012000, time.UTC), UpdatedAt: t0,
		})
		bare := f.walletCustomer(t, f.cp, wallet.Customer{BalanceAllowed: decimal.Zero})
		for _, want := range []wallet.Customer{full, bare} {
			got, err := f.repo.Customer(f.ctx, f.org, f.cp.ID, want.GUID, false)
			require.NoError(t, err)
			requireCustomer(t, want, got)
		}
		// Through another counterparty or organization, it does not exist.
		_, err := f.repo.Customer(f.ctx, f.org, f.sibling.ID, full.GUID, false)
		requireReason(t, err, errcode.NotFound, wallet.ReasonCustomerNotFound)
		_, err = f.repo.Customer(f.ctx, f.other, f.cp.ID, full.GUID, false)
		requireReason(t, err, errcode.NotFound, wallet.ReasonCustomerNotFound)

		// SaveCustomer writes the changeable fields, not the login or the asset.
		changed := full
		changed.Name, changed.PaternalName, changed.Segment, changed.BranchGUID = ptr("Mwila"), nil, nil, nil
		changed.KYCLevel, changed.IsDisabled, changed.BalanceAllowed = 1, false, decimal.RequireFromString("0.0000001")
		changed.BalanceAssetCode, changed.BalanceAssetIssuer = nil, nil
		changed.Login, changed.AssetCode = ptr("changed"), "CHANGED"
		changed.UpdatedAt = t0.Add(time.Hour)
		require.NoError(t, f.repo.SaveCustomer(f.ctx, &changed))
		got, err := f.repo.Customer(f.ctx, f.org, f.cp.ID, full.GUID, true)
		require.NoError(t, err)
		want := changed
		want.Login, want.AssetCode = full.Login, full.AssetCode
		requireCustomer(t, want, got)
	})
}

func TestWalletLoginUniquePerCounterparty(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setupWallet(t, s)
		f.walletCustomer(t, f.cp, wallet.Customer{Login: ptr("jane@example.com")})
		dup := wallet.Customer{
			GUID: uuid.New(), OrganizationID: f.org, CounterpartyID: f.cp.ID, Login: ptr("jane@example.com"),
			AssetCode: "ZMWT", AssetIssuer: issuerA, CreatedAt: t0, UpdatedAt: t0,
		}
		e := requireReason(t, f.repo.CreateCustomer(f.ctx, &dup), errcode.Conflict, wallet.ReasonCustomerAlreadyExists)
		require.Contains(t, e.Message, `"jane@example.com"`)
		require.Zero(t, dup.ID)
		// The same login in another counterparty is another customer.
		f.walletCustomer(t, f.sibling, wallet.Customer{Login: ptr("jane@example.com")})
		f.walletCustomer(t, f.otherOrgCp, wallet.Customer{Login: ptr("jane@example.com")})
		// Customers without a login do not clash.
		f.walletCustomer(t, f.cp, wallet.Customer{})
		f.walletCustomer(t, f.cp, wallet.Customer{})
	})
}

func TestWalletAccounts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setupWallet(t, s)
		c := f.walletCustomer(t, f.cp, wallet.Customer{})
		first := f.walletAccount(t, c, ptr("GB82WEST12345698765432"))
		second := f.walletAccount(t, c, nil)
		third := f.walletAccount(t, c, ptr("DE89370400440532013000"))
		other := f.walletAccount(t, f.walletCustomer(t, f.cp, wallet.Customer{}), nil) // another customer's

		all, err := f.repo.ListAccounts(f.ctx, f.org, c.ID, nil)
		require.NoError(t, err)
		requireAccounts(t, []wallet.Account{first, second, third}, all)
		one, err := f.repo.ListAccounts(f.ctx, f.org, c.ID, ptr("DE89370400440532013000"))
		require.NoError(t, err)
		requireAccounts(t, []wallet.Account{third}, one)
		none, err := f.repo.ListAccounts(f.ctx, f.org, c.ID, ptr("NL91ABNA0417164300"))
		require.NoError(t, err)
		require.Empty(t, none)
		none, err = f.repo.ListAccounts(f.ctx, f.other, c.ID, nil)
		require.NoError(t, err)
		require.Empty(t, none, "another organization sees no accounts")
		require.NotEqual(t, other.GUID, first.GUID)

		// An IBAN is unique within the organization…
		dup := wallet.Account{GUID: uuid.New(), OrganizationID: f.org, CounterpartyID: f.cp.ID, CustomerID: c.ID,
			IBAN: ptr("GB82WEST12345698765432"), AssetCode: "ZMWT", AssetIssuer: issuerA, CreatedAt: t0, UpdatedAt: t0}
		e := requireReason(t, f.repo.CreateAccount(f.ctx, &dup), errcode.Conflict, wallet.ReasonIBANAlreadyExists)
		require.Contains(t, e.Message, "GB82WEST12345698765432")
		// …across its counterparties, but not across organizations.
		f.walletAccount(t, f.walletCustomer(t, f.otherOrgCp, wallet.Customer{}), ptr("GB82WEST12345698765432"))
		dup.CounterpartyID, dup.CustomerID = f.sibling.ID, f.walletCustomer(t, f.sibling, wallet.Customer{}).ID
		requireReason(t, f.repo.CreateAccount(f.ctx, &dup), errcode.Conflict, wallet.ReasonIBANAlreadyExists)
	})
}

func TestWalletSchemaConstraints(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setupWallet(t, s)
		insert := func(orgID, cpID int64, kyc int, segment, balance string) error {
			return f.exec(`INSERT INTO wallet_customers (guid, organization_id, counterparty_id, kyc_level, segment, balance_allowed, asset_code, asset_issuer, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 'ZMWT', ?, ?, ?)`, uuid.NewString(), orgID, cpID, kyc, segment, balance, issuerA, t0, t0)
		}
		// Each refused row is followed by the same statement with valid
		// values, so that the refusal is the constraint's doing.
		require.Error(t, insert(f.org, f.cp.ID, -1, "PL", "0"), "kyc_level is not negative")
		require.Error(t, insert(f.org, f.cp.ID, 0, "XX", "0"), "segment is PL or PI")
		require.Error(t, insert(f.org, f.cp.ID, 0, "PI", "-1"), "balance_allowed is not negative")
		require.Error(t, insert(f.org, f.otherOrgCp.ID, 0, "PI", "0"), "the counterparty must be of the same organization")
		// kyc_level has no upper bound, as in the source API (migration 00012).
		require.NoError(t, insert(f.org, f.cp.ID, 7, "PI", "12.5"))

		c := f.walletCustomer(t, f.cp, wallet.Customer{})
		// The counterparty's customer count (kept by a trigger) saw the raw
		// row and not the refused ones: a full page's total is 2.
		page, err := f.repo.ListCustomers(f.ctx, f.org, f.cp.ID, wallet.CustomerFilter{}, wallet.ListRequest{PageRequest: wallet.PageRequest{Limit: 1}, Ordering: wallet.DefaultOrdering})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		require.EqualValues(t, 2, page.Total)
		account := func(orgID, cpID int64, iban string) error {
			return f.exec(`INSERT INTO wallet_accounts (guid, organization_id, counterparty_id, customer_id, iban, asset_code, asset_issuer, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, 'ZMWT', ?, ?, ?)`, uuid.NewString(), orgID, cpID, c.ID, iban, issuerA, t0, t0)
		}
		require.Error(t, account(f.org, f.sibling.ID, "NL91ABNA0417164300"), "the customer must be of the account's counterparty")
		require.Error(t, account(f.other, f.cp.ID, "NL91ABNA0417164300"), "the customer must be of the account's organization")
		require.Error(t, account(f.org, f.cp.ID, "nl91abna0417164300"), "IBANs are stored upper case")
		require.NoError(t, account(f.org, f.cp.ID, "NL91ABNA0417164300"))
		require.Error(t, account(f.org, f.cp.ID, "NL91ABNA0417164300"), "an IBAN is unique in the organization")
	})
}

// requireCustomer compares customers, money by value.
func requireCustomer(t *testing.T, want, got wallet.Customer) {
	t.Helper()
	require.True(t, want.BalanceAllowed.Equal(got.BalanceAllowed), "balance_allowed: want %s, got %s", want.BalanceAllowed, got.BalanceAllowed)
	want.BalanceAllowed, got.BalanceAllowed = decimal.Zero, decimal.Zero
	require.Equal(t, want, got)
}

// requireAccounts compares accounts, money by value.
func requireAccounts(t *testing.T, want, got []wallet.Account) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		require.True(t, w.Balance.Equal(g.Balance), "balance: want %s, got %s", w.Balance, g.Balance)
		w.Balance, g.Balance = decimal.Zero, decimal.Zero
		require.Equal(t, w, g)
	}
}
