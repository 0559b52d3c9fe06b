package wallet_test

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testclock"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// bundle is one test's service, clock, organization and counterparty.
type bundle struct {
	s     *store.Store
	clock *testclock.Clock
	svc   *wallet.Service
	org   int64
	cp    wallet.Counterparty
}

func setup(t *testing.T) bundle {
	t.Helper()
	s := testdb.Postgres(t)
	// Not UTC and finer than a microsecond: the service stores neither.
	clk := testclock.New(time.Date(2032, 3, 4, 5, 6, 7, 891234567, time.FixedZone("CAT", 2*60*60)))
	b := bundle{s: s, clock: clk, svc: wallet.NewService(s.Wallet(), clk.Now), org: newOrg(t, s)}
	cp, err := b.svc.CreateCounterparty(t.Context(), b.org, "  Zambezi Bank ")
	require.NoError(t, err)
	b.cp = cp
	return b
}

func newOrg(t *testing.T, s *store.Store) int64 {
	t.Helper()
	o := auth.Organization{Name: "Org " + rand.Text()[:6], ClientID: "client_" + rand.Text(), SignaturePolicy: auth.PolicyRequired, CreatedAt: time.Now()}
	require.NoError(t, s.Auth().CreateOrganization(t.Context(), &o, auth.Hash("secret")))
	return o.ID
}

func ptr[T any](v T) *T { return &v }

func requireReason(t *testing.T, err error, code errcode.Code, reason string) *errcode.Error {
	t.Helper()
	e, ok := errcode.As(err)
	require.True(t, ok, "want a %s error, got %v", code, err)
	require.Equal(t, code, e.Code, e.Message)
	require.Equal(t, reason, e.Reason, e.Message)
	return e
}

// requireFields requires a VALIDATION_ERROR naming exactly these fields.
func requireFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	e := requireReason(t, err, errcode.Invalid, wallet.ReasonValidation)
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
		require.Equal(t, "body", f.In)
		require.Contains(t, e.Message, f.Field)
	}
	require.ElementsMatch(t, fields, got, e.Message)
}

// count returns how many customers and accounts the counterparty has.
func (b bundle) count(t *testing.T) (customers, accounts int64) {
	t.Helper()
	db := b.s.DB.WithContext(t.Context())
	require.NoError(t, db.Table("wallet_customers").Where("counterparty_id = ?", b.cp.ID).Count(&customers).Error)
	require.NoError(t, db.Table("wallet_accounts").Where("counterparty_id = ?", b.cp.ID).Count(&accounts).Error)
	return customers, accounts
}

func minimal() wallet.NewCustomer {
	return wallet.NewCustomer{AssetCode: "ZMWT", AssetIssuer: usdcIssuer}
}

func TestCounterparties(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	require.Equal(t, "Zambezi Bank", b.cp.Name, "trimmed")
	require.Equal(t, b.clock.Now().UTC().Truncate(time.Microsecond), b.cp.CreatedAt)
	require.Equal(t, uuid.Version(7), b.cp.GUID.Version())

	got, err := b.svc.Counterparty(ctx, b.org, b.cp.GUID)
	require.NoError(t, err)
	require.Equal(t, b.cp, got)
	_, err = b.svc.Counterparty(ctx, newOrg(t, b.s), b.cp.GUID)
	requireReason(t, err, errcode.NotFound, wallet.ReasonCounterpartyNotFound)

	_, err = b.svc.CreateCounterparty(ctx, b.org, "   ")
	requireFields(t, err, "name")
	page, err := b.svc.Counterparties(ctx, b.org, wallet.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []wallet.Counterparty{b.cp}, page.Items)
}

func TestCreateCustomerWithItsFirstAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()

	c, a, err := b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, minimal())
	require.NoError(t, err)
	now := b.clock.Now().UTC().Truncate(time.Microsecond)
	// Defaults: balance_allowed 0, kyc_level 0, is_disabled false.
	require.True(t, c.BalanceAllowed.IsZero())
	require.Zero(t, c.KYCLevel)
	require.False(t, c.IsDisabled)
	require.Nil(t, c.Login)
	require.Equal(t, b.cp.GUID, c.CounterpartyGUID)
	require.Equal(t, now, c.CreatedAt)
	// The first wallet account holds the customer's asset.
	require.Equal(t, c.ID, a.CustomerID)
	require.Equal(t, c.GUID, a.CustomerGUID)
	require.Equal(t, "ZMWT", a.AssetCode)
	require.Equal(t, usdcIssuer, a.AssetIssuer)
	require.Nil(t, a.IBAN)
	require.Equal(t, now, a.CreatedAt)
	require.NotEqual(t, c.GUID, a.GUID)

	branch := uuid.New()
	in := wallet.NewCustomer{
		AssetCode: "EURT", AssetIssuer: testnetIssuer, BalanceAllowed: ptr(decimal.RequireFromString("1500.25")),
		BalanceAssetCode: ptr("USDC"), BalanceAssetIssuer: ptr(usdcIssuer), BranchGUID: &branch,
		IBAN: ptr("gb82 west 1234 5698 7654 32"), IsDisabled: ptr(true), KYCLevel: ptr(2),
		Login: ptr("jane@example.com"), Name: ptr("Jane"), PaternalName: ptr(""), PhoneNumber: ptr("+260971234567"),
		Segment: ptr(wallet.PublicLiability), Status: ptr("verified"), Surname: ptr("Banda"),
	}
	c, a, err = b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, in)
	require.NoError(t, err)
	require.Equal(t, "1500.25", c.BalanceAllowed.String())
	require.Equal(t, 2, c.KYCLevel)
	require.True(t, c.IsDisabled)
	require.Nil(t, c.PaternalName, "an empty string is absent")
	require.Equal(t, "GB82WEST12345698765432", *a.IBAN, "stored in electronic form")

	got, err := b.svc.Customer(ctx, b.org, b.cp.GUID, c.GUID)
	require.NoError(t, err)
	require.Equal(t, *c.Login, *got.Login)
	require.Equal(t, b.cp.GUID, got.CounterpartyGUID)
	accounts, err := b.svc.Accounts(ctx, b.org, b.cp.GUID, c.GUID, nil)
	require.NoError(t, err)
	require.Len(t, accounts, 1)
	require.Equal(t, a.GUID, accounts[0].GUID)
	require.Equal(t, c.GUID, accounts[0].CustomerGUID)
}

func TestCreateCustomerRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	_, _, err := b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, wallet.NewCustomer{Login: ptr("taken"), AssetCode: "ZMWT", AssetIssuer: usdcIssuer, IBAN: ptr("NL91ABNA0417164300")})
	require.NoError(t, err)
	customers, accounts := b.count(t)

	for _, tc := range []struct {
		name   string
		in     wallet.NewCustomer
		fields []string
	}{
		{"asset code", wallet.NewCustomer{AssetCode: "ZMW-T", AssetIssuer: usdcIssuer}, []string{"asset_code"}},
		{"asset code too long", wallet.NewCustomer{AssetCode: "ABCDEFGHIJKLM", AssetIssuer: usdcIssuer}, []string{"asset_code"}},
		{"issuer checksum", wallet.NewCustomer{AssetCode: "ZMWT", AssetIssuer: usdcIssuer[:55] + "A"}, []string{"asset_issuer"}},
		{"both, and the IBAN", wallet.NewCustomer{AssetIssuer: "GABC", IBAN: ptr("GB82WEST12345698765433")}, []string{"asset_code", "asset_issuer", "iban"}},
		{"balance asset issuer", func() wallet.NewCustomer {
			in := minimal()
			in.BalanceAssetCode, in.BalanceAssetIssuer = ptr("USDC"), ptr(usdcIssuer[:55]+"A")
			return in
		}(), []string{"balance_asset_issuer"}},
		{"balance asset without issuer", func() wallet.NewCustomer {
			in := minimal()
			in.BalanceAssetCode = ptr("USDC")
			return in
		}(), []string{"balance_asset_issuer"}},
		{"ranges", func() wallet.NewCustomer {
			in := minimal()
			in.KYCLevel, in.BalanceAllowed, in.Segment = ptr(-1), ptr(decimal.RequireFromString("-1")), ptr(wallet.Segment("XX"))
			return in
		}(), []string{"kyc_level", "balance_allowed", "segment"}},
		{"lengths", func() wallet.NewCustomer {
			in := minimal()
			in.PhoneNumber, in.Name = ptr("+2609712345678901234567890123456789"), ptr(string(make([]byte, 201)))
			return in
		}(), []string{"phone_number", "name"}},
	} {
		_, _, err := b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, tc.in)
		requireFields(t, err, tc.fields...)
	}

	// A taken login, or a taken IBAN: nothing is written, not even the customer.
	dupLogin := minimal()
	dupLogin.Login = ptr("taken")
	_, _, err = b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, dupLogin)
	// The source API answers a taken login as a bad request naming login.
	e := requireReason(t, err, errcode.Invalid, wallet.ReasonCustomerAlreadyExists)
	require.Equal(t, []errcode.FieldError{{Field: "login", In: "body", Message: "is taken in this counterparty: choose another login"}}, e.Fields)
	dupIBAN := minimal()
	dupIBAN.Login, dupIBAN.IBAN = ptr("free"), ptr("nl91 abna 0417 1643 00")
	_, _, err = b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, dupIBAN)
	requireReason(t, err, errcode.Conflict, wallet.ReasonIBANAlreadyExists)
	c, a := b.count(t)
	require.Equal(t, customers, c)
	require.Equal(t, accounts, a)
	// The login that was rolled back with the IBAN is free.
	dupIBAN.IBAN = nil
	_, _, err = b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, dupIBAN)
	require.NoError(t, err)

	// An unknown counterparty, or another organization's.
	_, _, err = b.svc.CreateCustomer(ctx, b.org, uuid.New(), minimal())
	requireReason(t, err, errcode.NotFound, wallet.ReasonCounterpartyNotFound)
	_, _, err = b.svc.CreateCustomer(ctx, newOrg(t, b.s), b.cp.GUID, minimal())
	requireReason(t, err, errcode.NotFound, wallet.ReasonCounterpartyNotFound)
}

func TestUpdateCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	in := minimal()
	in.Login, in.Name, in.PhoneNumber, in.Segment = ptr("jane"), ptr("Jane"), ptr("+260971234567"), ptr(wallet.PublicLiability)
	created, _, err := b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, in)
	require.NoError(t, err)

	b.clock.Advance(time.Hour)
	branch := uuid.New()
	c, err := b.svc.UpdateCustomer(ctx, b.org, b.cp.GUID, created.GUID, wallet.CustomerUpdate{
		Name: ptr("Janet"), PhoneNumber: ptr(""), Surname: ptr("Banda"), Segment: ptr(wallet.ProfessionalIndemnity),
		KYCLevel: ptr(3), IsDisabled: ptr(true), BalanceAllowed: ptr(decimal.RequireFromString("0.0000001")),
		BalanceAssetCode: ptr("USDC"), BalanceAssetIssuer: ptr(usdcIssuer), BranchGUID: &branch, WalletUserGUID: &created.GUID,
	})
	require.NoError(t, err)
	require.Equal(t, "Janet", *c.Name)
	require.Nil(t, c.PhoneNumber, "an empty string clears")
	require.Equal(t, "jane", *c.Login, "unchanged")
	require.Equal(t, created.CreatedAt, c.CreatedAt)
	require.Equal(t, created.CreatedAt.Add(time.Hour), c.UpdatedAt)
	got, err := b.svc.Customer(ctx, b.org, b.cp.GUID, created.GUID)
	require.NoError(t, err)
	require.Equal(t, c.UpdatedAt, got.UpdatedAt)
	require.Equal(t, wallet.ProfessionalIndemnity, *got.Segment)
	require.Equal(t, "0.0000001", got.BalanceAllowed.String())
	require.Equal(t, branch, *got.BranchGUID)

	// Refusals leave the customer as it was.
	_, err = b.svc.UpdateCustomer(ctx, b.org, b.cp.GUID, created.GUID, wallet.CustomerUpdate{WalletUserGUID: ptr(uuid.New())})
	requireFields(t, err, "wallet_user_guid")
	_, err = b.svc.UpdateCustomer(ctx, b.org, b.cp.GUID, created.GUID, wallet.CustomerUpdate{Name: ptr("X"), BalanceAssetIssuer: ptr("GBAD"), KYCLevel: ptr(-1)})
	requireFields(t, err, "balance_asset_issuer", "kyc_level")
	after, err := b.svc.Customer(ctx, b.org, b.cp.GUID, created.GUID)
	require.NoError(t, err)
	require.Equal(t, got, after)

	other, err := b.svc.CreateCounterparty(ctx, b.org, "Kafue Bank")
	require.NoError(t, err)
	_, err = b.svc.UpdateCustomer(ctx, b.org, other.GUID, created.GUID, wallet.CustomerUpdate{Name: ptr("X")})
	requireReason(t, err, errcode.NotFound, wallet.ReasonCustomerNotFound)
	_, err = b.svc.UpdateCustomer(ctx, newOrg(t, b.s), b.cp.GUID, created.GUID, wallet.CustomerUpdate{Name: ptr("X")})
	requireReason(t, err, errcode.NotFound, wallet.ReasonCounterpartyNotFound)
}

func TestWalletAccounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	c, first, err := b.svc.CreateCustomer(ctx, b.org, b.cp.GUID, minimal())
	require.NoError(t, err)
	b.clock.Advance(time.Minute)
	second, err := b.svc.CreateAccount(ctx, b.org, b.cp.GUID, c.GUID, ptr("de89 3704 0044 0532 0130 00"))
	require.NoError(t, err)
	require.Equal(t, "DE89370400440532013000", *second.IBAN)
	require.Equal(t, c.GUID, second.CustomerGUID)
	require.Equal(t, c.AssetCode, second.AssetCode)

	all, err := b.svc.Accounts(ctx, b.org, b.cp.GUID, c.GUID, nil)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{first.GUID, second.GUID}, []uuid.UUID{all[0].GUID, all[1].GUID})
	one, err := b.svc.Accounts(ctx, b.org, b.cp.GUID, c.GUID, ptr("DE89 3704 0044 0532 0130 00"))
	require.NoError(t, err)
	require.Len(t, one, 1)
	require.Equal(t, second.GUID, one[0].GUID)

	_, err = b.svc.CreateAccount(ctx, b.org, b.cp.GUID, c.GUID, ptr("DE89370400440532013001"))
	requireFields(t, err, "iban")
	_, err = b.svc.CreateAccount(ctx, b.org, b.cp.GUID, c.GUID, ptr("DE89370400440532013000"))
	requireReason(t, err, errcode.Conflict, wallet.ReasonIBANAlreadyExists)
	_, err = b.svc.CreateAccount(ctx, b.org, b.cp.GUID, uuid.New(), nil)
	requireReason(t, err, errcode.NotFound, wallet.ReasonCustomerNotFound)
	_, err = b.svc.Accounts(ctx, newOrg(t, b.s), b.cp.GUID, c.GUID, nil)
	requireReason(t, err, errcode.NotFound, wallet.ReasonCounterpartyNotFound)
}
