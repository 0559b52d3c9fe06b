package store_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/banking"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/inspector"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/reports"
	"github.com/openvest/openvest/internal/sandbox"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/ussd"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// The cross-organization suite: for every method of every repository the
// store implements, another organization's ids find nothing (NotFound or
// an empty result) and change nothing (every row of the organization that
// owns them is as it was), on PostgreSQL and on SQLite. Each case is a
// probe: the method called as a given organization with the ids of one
// organization's rows (the victim's). The suite calls it as a second
// organization, then as the victim itself — which must find the rows (or,
// for a method that writes, change them), so that a probe cannot pass by
// looking at nothing.
//
// Adding a repository method means adding its row to crossOrgCases;
// TestCrossOrganizationSuiteCoversEveryMethod fails until it is there.

// repositories are the interfaces the store implements, each with its
// implementation (whose exported methods beyond the interface need rows too).
var repositories = []struct{ iface, impl reflect.Type }{
	{reflect.TypeFor[investing.Repository](), reflect.TypeFor[*store.InvestingRepo]()},
	{reflect.TypeFor[trading.Repository](), reflect.TypeFor[*store.TradingRepo]()},
	{reflect.TypeFor[wallet.Repository](), reflect.TypeFor[*store.WalletRepo]()},
	{reflect.TypeFor[banking.Repository](), reflect.TypeFor[*store.BankingRepo]()},
	{reflect.TypeFor[webhook.Repository](), reflect.TypeFor[*store.WebhookRepo]()},
	{reflect.TypeFor[reports.Repository](), reflect.TypeFor[*store.ReportsRepo]()},
	{reflect.TypeFor[ussd.Repository](), reflect.TypeFor[*store.USSDRepo]()},
	{reflect.TypeFor[idempotency.Repository](), reflect.TypeFor[*store.IdempotencyRepo]()},
	{reflect.TypeFor[auth.Repository](), reflect.TypeFor[*store.AuthRepo]()},
	{reflect.TypeFor[inspector.Repository](), reflect.TypeFor[*store.InspectorRepo]()},
	{reflect.TypeFor[sandbox.Repository](), reflect.TypeFor[*store.SandboxRepo]()},
}

// victim is one organization's rows, one of each kind.
type victim struct {
	org       int64
	customer  investing.Customer
	account   investing.Account
	portfolio investing.Portfolio
	spare     investing.Portfolio // a second portfolio of the customer (no account)
	asset     trading.Asset
	request   trading.Request // PENDING, recurring, due
	sell      trading.Request // a PENDING sell of the asset
	tx        trading.Transaction

	counterparty wallet.Counterparty
	walletCust   wallet.Customer
	walletAcct   wallet.Account

	application banking.Application
	document    banking.Document
	bankCust    banking.CustomerDetail

	webhook  webhook.Webhook // without a signing key of its own
	event    webhook.Event
	delivery webhook.Delivery // PENDING
	dispatch webhook.Dispatch // of another event, to the webhook

	report  reports.Report
	session ussd.Session
	idem    idempotency.Record
	key     auth.SigningKey
	token   auth.Token
	seen    []inspector.Record // two inspected requests, oldest first
	fault   sandbox.Rule       // active at t0, with applications left
}

// instrument is the instrument of the victim's asset and sandbox price.
const instrument = 1

func seedVictim(t *testing.T, f fixture) victim {
	t.Helper()
	ctx, s, org := f.ctx, f.s, f.org
	v := victim{org: org}
	v.customer = f.customer(t, org, customerOpts{ReferenceID: ptr("ref-" + rand.Text()[:8])})
	v.account = f.account(t, v.customer, investing.InternationalStocks, accountOpts{})
	v.portfolio = f.portfolio(t, v.customer, portfolioOpts{Account: &v.account})
	v.spare = f.portfolio(t, v.customer, portfolioOpts{})
	v.asset = trading.Asset{
		OrganizationID: org, CustomerID: v.customer.ID, AccountID: v.account.ID, PortfolioID: v.portfolio.ID, InstrumentID: instrument, Symbol: "AAPL",
		Currency: investing.USD, Quantity: decimal.RequireFromString("2"), AverageCost: decimal.RequireFromString("100"),
		InvestmentAmount: decimal.RequireFromString("200"), MarketValue: decimal.RequireFromString("200"), CreatedAt: t0, UpdatedAt: t0,
	}
	tr := s.Trading()
	require.NoError(t, tr.CreateAsset(ctx, &v.asset))
	next := t0.Add(time.Hour)
	v.request = trading.Request{
		OrganizationID: org, CustomerID: v.customer.ID, AccountID: v.account.ID, PortfolioID: v.portfolio.ID, Type: trading.Purchase, Status: trading.Pending,
		Currency: investing.USD, InstrumentID: instrument, Symbol: "AAPL", PurchaseAmount: ptr(decimal.RequireFromString("50")),
		IsRecurring: true, Schedule: trading.Weekly, NextExecutionAt: &next, CreatedAt: t0, UpdatedAt: t0,
	}
	require.NoError(t, tr.CreateRequest(ctx, &v.request))
	v.sell = trading.Request{
		OrganizationID: org, CustomerID: v.customer.ID, AccountID: v.account.ID, PortfolioID: v.portfolio.ID, Type: trading.Sell, Status: trading.Pending,
		Currency: investing.USD, InstrumentID: instrument, Symbol: "AAPL", AssetID: &v.asset.ID, SellAmount: ptr(decimal.RequireFromString("10")),
		Schedule: trading.Once, CreatedAt: t0, UpdatedAt: t0,
	}
	require.NoError(t, tr.CreateRequest(ctx, &v.sell))
	v.tx = transactionOf(v, org)
	require.NoError(t, tr.CreateTransaction(ctx, &v.tx))
	require.NoError(t, tr.SetClockOffset(ctx, org, time.Hour, t0))
	require.NoError(t, tr.SetPriceOverride(ctx, org, instrument, decimal.RequireFromString("123.45"), t0))

	w := s.Wallet()
	v.counterparty = wallet.Counterparty{GUID: uuid.New(), OrganizationID: org, Name: "Zambezi Bank", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, w.CreateCounterparty(ctx, &v.counterparty))
	v.walletCust = walletCustomerOf(v, org)
	require.NoError(t, w.CreateCustomer(ctx, &v.walletCust))
	v.walletAcct = walletAccountOf(v, org)
	require.NoError(t, w.CreateAccount(ctx, &v.walletAcct))

	v.application = f.application(t, org, applicationOpts{})
	v.document = f.document(t, v.application, banking.DocumentType("PASSPORT"), t0)
	v.bankCust = f.bankCustomer(t, org, bankCustomerOpts{})

	wh := s.Webhooks()
	v.webhook = webhook.Webhook{OrganizationID: org, URL: "https://hooks.example.com/x", Subscriptions: []string{"ALL"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, wh.CreateWebhook(ctx, &v.webhook))
	v.event = eventOf(org)
	require.NoError(t, wh.CreateEvents(ctx, []webhook.Event{v.event}))
	v.delivery = webhook.Delivery{OrganizationID: org, WebhookID: v.webhook.ID, EventID: v.event.ID, State: webhook.Pending, NextAttemptAt: &t0, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, wh.CreateDeliveries(ctx, []*webhook.Delivery{&v.delivery}))
	require.NoError(t, s.WithTx(ctx, func(ctx context.Context) error {
		ds, err := wh.RecordDispatch(ctx, org, []webhook.Event{eventOf(org)}, t0, t0.Add(time.Minute))
		if err == nil {
			require.Len(t, ds, 1)
			v.dispatch = ds[0]
		}
		return err
	}))

	v.report = reportOf(org)
	require.NoError(t, s.Reports().CreateReport(ctx, &v.report))
	v.session = ussd.Session{ID: "ussd_" + strings.ReplaceAll(uuid.NewString(), "-", ""), OrganizationID: org, CustomerID: v.customer.ID, State: ussd.Home,
		ExpiresAt: t0.Add(5 * time.Minute), CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, s.USSD().CreateSession(ctx, &v.session))
	v.idem = idempotency.Record{OrganizationID: org, Key: "key-" + rand.Text(), Method: "POST", Path: "/v1/customers", RequestHash: []byte{1, 2, 3},
		Status: 201, ContentType: "application/json", Body: []byte(`{}`), CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
	inserted, err := s.Idempotency().Insert(ctx, &v.idem)
	require.NoError(t, err)
	require.True(t, inserted)
	v.key = auth.SigningKey{OrganizationID: org, KeyID: "key-1", PublicKey: make([]byte, 32), CreatedAt: t0}
	require.NoError(t, s.Auth().CreateKey(ctx, &v.key))
	v.token = auth.Token{OrganizationID: org, Hash: []byte(rand.Text()), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	require.NoError(t, s.Auth().CreateToken(ctx, &v.token))
	v.seen = []inspector.Record{inspected(org, 0, 201), inspected(org, 1, 404)}
	require.NoError(t, s.Inspector().InsertRecords(ctx, v.seen))
	v.fault = *newRule(org, ptr(3))
	require.NoError(t, s.Sandbox().CreateFault(ctx, &v.fault, t0))
	return v
}

// The rows a probe creates, for organization org, on the victim's parents.

func transactionOf(v victim, org int64) trading.Transaction {
	return trading.Transaction{
		OrganizationID: org, CustomerID: v.customer.ID, AccountID: v.account.ID, PortfolioID: v.portfolio.ID, RequestID: v.request.ID, AssetID: &v.asset.ID,
		InstrumentID: instrument, Symbol: "AAPL", Type: trading.Purchase, Status: trading.TxCompleted, Currency: investing.USD,
		Amount: decimal.RequireFromString("50"), Rate: decimal.RequireFromString("1"), Price: decimal.RequireFromString("100"),
		Quantity: decimal.RequireFromString("0.5"), Value: decimal.RequireFromString("50"), Uninvested: decimal.Zero,
		Cycle: v.request.Executions + 1, ExecutedAt: t0, CreatedAt: t0, UpdatedAt: t0,
	}
}

func walletCustomerOf(v victim, org int64) wallet.Customer {
	return wallet.Customer{GUID: uuid.New(), OrganizationID: org, CounterpartyID: v.counterparty.ID, Login: ptr("login-" + rand.Text()[:8]),
		AssetCode: "ZMWT", AssetIssuer: issuerA, BalanceAllowed: decimal.Zero, CreatedAt: t0, UpdatedAt: t0}
}

func walletAccountOf(v victim, org int64) wallet.Account {
	return wallet.Account{GUID: uuid.New(), OrganizationID: org, CounterpartyID: v.counterparty.ID, CustomerID: v.walletCust.ID,
		AssetCode: "ZMWT", AssetIssuer: issuerA, Balance: decimal.Zero, CreatedAt: t0, UpdatedAt: t0}
}

func eventOf(org int64) webhook.Event {
	return webhook.Event{ID: uuid.NewString(), OrganizationID: org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{}`)}
}

func reportOf(org int64) reports.Report {
	return reports.Report{OrganizationID: org, Types: []reports.Type{reports.User}, Format: reports.CSV, Status: reports.Pending,
		Delivery: reports.Delivery{Status: reports.NoDelivery}, CreatedAt: t0, UpdatedAt: t0}
}

// probe calls one repository method as organization org with the ids of
// v's rows, and reports whether the call found any of them. A NotFound
// answer is "found nothing", not an error.
type probe func(ctx context.Context, s *store.Store, v victim, org int64) (found bool, err error)

// crossOrgCase is one method's row: a probe, or why the method is not
// scoped by organization.
type crossOrgCase struct {
	probe probe
	// writes: the method changes rows, so the victim's own call must
	// change its rows (a read must find them instead).
	writes bool
	// global says why the method spans organizations (or none) on purpose.
	global string
}

func read(p probe) crossOrgCase  { return crossOrgCase{probe: p} }
func write(p probe) crossOrgCase { return crossOrgCase{probe: p, writes: true} }
func global(why string) crossOrgCase {
	return crossOrgCase{global: why}
}

// found: a read's answer. NotFound is found nothing.
func found(err error) (bool, error) {
	if errcode.Is(err, errcode.NotFound) {
		return false, nil
	}
	return err == nil, err
}

func foundValue[T any](_ T, err error) (bool, error) { return found(err) }

func nonEmpty[T any](items []T, err error) (bool, error) { return len(items) > 0, err }

// conflicted: a create that finds an existing row answers Conflict.
func conflicted(err error) (bool, error) {
	if errcode.Is(err, errcode.Conflict) {
		return true, nil
	}
	return false, err
}

// attached: a create on the victim's parent rows; the database refuses it
// for another organization (a composite foreign key), which finds nothing.
func attached(err error) (bool, error) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23503" || err != nil && strings.Contains(err.Error(), "FOREIGN KEY constraint failed") {
		return false, nil
	}
	return err == nil, err
}

// refused: like attached, where the database may refuse the row for a
// unique key of the victim's (checked before the foreign key) instead.
func refused(err error) (bool, error) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" || err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return false, nil
	}
	return attached(err)
}

// wrote: a write reports nothing; the suite compares the rows.
func wrote(err error) (bool, error) { return false, err }

var pageOf10 = investing.PageRequest{Limit: 10}

// crossOrgCases has one row per repository method, named
// "package.Interface.Method" ("store.Repo.Method" for one beyond the
// interface).
var crossOrgCases = map[string]crossOrgCase{
	// investing
	"investing.Repository.WithTx": global("opens a transaction; runs no statement of its own"),
	"investing.Repository.CreateCustomer": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		// referenceId is unique per organization: the victim's is free elsewhere
		c := investing.Customer{OrganizationID: org, FirstName: "Eve", LastName: "Other", ReferenceID: v.customer.ReferenceID, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		return conflicted(s.Investing().CreateCustomer(ctx, &c))
	}),
	"store.InvestingRepo.CreateCustomerWithAccounts": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		// one statement on PostgreSQL: the victim's referenceId is free elsewhere too
		c := investing.Customer{OrganizationID: org, FirstName: "Eve", LastName: "Other", ReferenceID: v.customer.ReferenceID, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		a := investing.Account{OrganizationID: org, InvestmentType: investing.Bonds, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		p := investing.Portfolio{OrganizationID: org, InvestmentType: &a.InvestmentType, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		return conflicted(s.Investing().CreateCustomerWithAccounts(ctx, &c, []*investing.Account{&a}, []*investing.Portfolio{&p}))
	}),
	"investing.Repository.Customer": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Investing().Customer(ctx, org, v.customer.ID, true))
	}),
	"investing.Repository.SaveCustomer": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		c := v.customer
		c.OrganizationID, c.FirstName, c.Status, c.UpdatedAt = org, "Hijacked", investing.Suspended, t0.Add(time.Hour)
		return wrote(s.Investing().SaveCustomer(ctx, &c))
	}),
	"investing.Repository.ListCustomers": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		all, err := s.Investing().ListCustomers(ctx, org, investing.CustomerFilter{}, pageOf10)
		if err != nil {
			return false, err
		}
		one, err := s.Investing().ListCustomers(ctx, org, investing.CustomerFilter{ReferenceID: v.customer.ReferenceID}, pageOf10)
		return len(all.Items)+len(one.Items) > 0 || all.Total > 0, err
	}),
	"investing.Repository.CreateAccounts": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		a := investing.Account{OrganizationID: org, CustomerID: v.customer.ID, InvestmentType: investing.Bonds, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		return attached(s.Investing().CreateAccounts(ctx, []*investing.Account{&a}))
	}),
	"investing.Repository.Account": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Investing().Account(ctx, org, v.account.ID, true))
	}),
	"investing.Repository.SaveAccount": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		a := v.account
		a.OrganizationID, a.Status, a.UpdatedAt = org, investing.Suspended, t0.Add(time.Hour)
		return wrote(s.Investing().SaveAccount(ctx, &a))
	}),
	"investing.Repository.ListAccounts": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		all, err := s.Investing().ListAccounts(ctx, org, nil, pageOf10)
		if err != nil {
			return false, err
		}
		theirs, err := s.Investing().ListAccounts(ctx, org, &v.customer.ID, pageOf10)
		return len(all.Items)+len(theirs.Items) > 0 || all.Total > 0, err
	}),
	"investing.Repository.CreatePortfolios": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		p := investing.Portfolio{OrganizationID: org, CustomerID: v.customer.ID, Currency: investing.USD, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
		return attached(s.Investing().CreatePortfolios(ctx, []*investing.Portfolio{&p}))
	}),
	"investing.Repository.Portfolio": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Investing().Portfolio(ctx, org, v.portfolio.ID, true))
	}),
	"investing.Repository.SavePortfolio": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		p := v.portfolio
		p.OrganizationID, p.Status, p.UpdatedAt = org, investing.Suspended, t0.Add(time.Hour)
		return wrote(s.Investing().SavePortfolio(ctx, &p))
	}),
	"investing.Repository.ListPortfolios": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		page, err := s.Investing().ListPortfolios(ctx, org, v.customer.ID, pageOf10)
		return len(page.Items) > 0, err
	}),
	"investing.Repository.CascadeStatus": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		as, ps, err := s.Investing().CascadeStatus(ctx, org, v.customer.ID, nil, investing.Suspended, t0.Add(time.Hour))
		return len(as)+len(ps) > 0, err
	}),
	"investing.Repository.Investments": global("the investment types are the same for every organization"),

	// trading, portfolio assets and sandbox market data
	"trading.Repository.WithTx": global("opens a transaction; runs no statement of its own"),
	"trading.Repository.Customer": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().Customer(ctx, org, v.customer.ID))
	}),
	"trading.Repository.AccountOfType": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().AccountOfType(ctx, org, v.customer.ID, investing.InternationalStocks))
	}),
	"trading.Repository.Account": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().Account(ctx, org, v.account.ID))
	}),
	"trading.Repository.PortfolioOfAccount": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().PortfolioOfAccount(ctx, org, v.account.ID, true))
	}),
	"trading.Repository.ActivePortfolioOfAccount": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		_, ok, err := s.Trading().ActivePortfolioOfAccount(ctx, org, v.customer.ID, v.account.ID, true)
		return ok, err
	}),
	"trading.Repository.ActivePortfolioOfType": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		_, ok, err := s.Trading().ActivePortfolioOfType(ctx, org, v.customer.ID, investing.InternationalStocks)
		return ok, err
	}),
	"trading.Repository.Portfolio": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().Portfolio(ctx, org, v.portfolio.ID))
	}),
	"trading.Repository.LockPortfolio": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().LockPortfolio(ctx, org, v.portfolio.ID))
	}),
	"trading.Repository.MoveAsset": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Trading().MoveAsset(ctx, org, v.asset.ID, v.spare.ID, v.account.ID, t0.Add(time.Hour)))
	}),
	"trading.Repository.SavePortfolioValues": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		p := v.portfolio
		p.OrganizationID, p.MarketValue, p.UpdatedAt = org, decimal.RequireFromString("999"), t0.Add(time.Hour)
		return wrote(s.Trading().SavePortfolioValues(ctx, &p))
	}),
	"trading.Repository.CreateRequest": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		r := v.request
		r.ID, r.OrganizationID = 0, org
		return attached(s.Trading().CreateRequest(ctx, &r))
	}),
	"trading.Repository.Request": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().Request(ctx, org, v.request.ID, true))
	}),
	"trading.Repository.SaveRequest": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		r := v.request
		r.OrganizationID, r.Status, r.Executions, r.UpdatedAt = org, trading.Canceled, 3, t0.Add(time.Hour)
		return wrote(s.Trading().SaveRequest(ctx, &r))
	}),
	"trading.Repository.SaveRequests": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		r, sell := v.request, v.sell
		r.Status, r.Executions, r.UpdatedAt = trading.Canceled, 3, t0.Add(time.Hour)
		sell.Status, sell.ErrorReason, sell.UpdatedAt = trading.Failed, ptr("nothing to sell"), t0.Add(time.Hour)
		return wrote(s.Trading().SaveRequests(ctx, org, []trading.Request{r, sell}))
	}),
	"trading.Repository.LockPendingRequests": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Trading().LockPendingRequests(ctx, org, v.account.ID, trading.Sell, 10)) // the victim's one-time request is its sell
	}),
	"trading.Repository.ListRequests": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		all, err := s.Trading().ListRequests(ctx, org, trading.RequestFilter{}, pageOf10)
		if err != nil {
			return false, err
		}
		theirs, err := s.Trading().ListRequests(ctx, org, trading.RequestFilter{CustomerID: &v.customer.ID}, pageOf10)
		return len(all.Items)+len(theirs.Items) > 0 || all.Total > 0, err
	}),
	"trading.Repository.DueRequests": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Trading().DueRequests(ctx, org, t0.Add(24*time.Hour)))
	}),
	"trading.Repository.OverdueRequests": global("the sweep that reschedules overdue recurring requests of every organization"),
	"trading.Repository.PendingSells": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Trading().PendingSells(ctx, org, []int64{v.asset.ID}))
	}),
	"trading.Repository.Asset": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().Asset(ctx, org, v.asset.ID, true))
	}),
	"trading.Repository.AssetOf": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		_, ok, err := s.Trading().AssetOf(ctx, org, v.portfolio.ID, instrument)
		return ok, err
	}),
	"trading.Repository.CreateAsset": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		a := v.asset
		a.ID, a.OrganizationID, a.PortfolioID = 0, org, v.spare.ID
		return attached(s.Trading().CreateAsset(ctx, &a))
	}),
	"trading.Repository.SaveAsset": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		a := v.asset
		a.OrganizationID, a.Quantity, a.UpdatedAt = org, decimal.RequireFromString("7"), t0.Add(time.Hour)
		return wrote(s.Trading().SaveAsset(ctx, &a))
	}),
	"trading.Repository.ListAssets": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		all, err := s.Trading().ListAssets(ctx, org, trading.AssetFilter{}, pageOf10)
		if err != nil {
			return false, err
		}
		theirs, err := s.Trading().ListAssets(ctx, org, trading.AssetFilter{PortfolioID: &v.portfolio.ID}, pageOf10)
		return len(all.Items)+len(theirs.Items) > 0 || all.Total > 0, err
	}),
	"trading.Repository.PortfolioAssets": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Trading().PortfolioAssets(ctx, org, []int64{v.portfolio.ID}))
	}),
	"trading.Repository.CreateTransaction": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		tx := transactionOf(v, org)
		tx.Cycle = 2
		return attached(s.Trading().CreateTransaction(ctx, &tx))
	}),
	"trading.Repository.CreateTransactions": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		one, two := transactionOf(v, v.org), transactionOf(v, v.org)
		one.Cycle, two.Cycle = 2, 3
		return attached(s.Trading().CreateTransactions(ctx, org, []trading.Transaction{one, two}))
	}),
	"trading.Repository.Transaction": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().Transaction(ctx, org, v.tx.ID))
	}),
	"trading.Repository.ListTransactions": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		all, err := s.Trading().ListTransactions(ctx, org, trading.TransactionFilter{}, pageOf10)
		if err != nil {
			return false, err
		}
		theirs, err := s.Trading().ListTransactions(ctx, org, trading.TransactionFilter{RequestID: &v.request.ID}, pageOf10)
		return len(all.Items)+len(theirs.Items) > 0 || all.Total > 0, err
	}),
	"trading.Repository.ClockOffset": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		d, err := s.Trading().ClockOffset(ctx, org)
		return d != 0, err
	}),
	"trading.Repository.SetClockOffset": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Trading().SetClockOffset(ctx, org, 3*time.Hour, t0.Add(time.Hour)))
	}),
	"trading.Repository.PriceOverrides": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		prices, err := s.Trading().PriceOverrides(ctx, org)
		return len(prices) > 0, err
	}),
	"trading.Repository.SandboxState": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		d, prices, err := s.Trading().SandboxState(ctx, org)
		return d != 0 || len(prices) > 0, err
	}),
	"trading.Repository.PriceOverrideSetAt": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Trading().PriceOverrideSetAt(ctx, org, instrument))
	}),
	"trading.Repository.SetPriceOverride": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Trading().SetPriceOverride(ctx, org, instrument, decimal.RequireFromString("1"), t0.Add(time.Hour)))
	}),
	"trading.Repository.DeletePriceOverride": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return s.Trading().DeletePriceOverride(ctx, org, instrument)
	}),

	// wallet: counterparty-scoped inside the organization
	"wallet.Repository.WithTx": global("opens a transaction; runs no statement of its own"),
	"wallet.Repository.CreateCounterparty": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		c := wallet.Counterparty{GUID: uuid.New(), OrganizationID: org, Name: "Kafue Bank", CreatedAt: t0, UpdatedAt: t0}
		return wrote(s.Wallet().CreateCounterparty(ctx, &c))
	}),
	"wallet.Repository.Counterparty": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Wallet().Counterparty(ctx, org, v.counterparty.GUID))
	}),
	"wallet.Repository.ListCounterparties": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		page, err := s.Wallet().ListCounterparties(ctx, org, wallet.PageRequest{Limit: 10})
		return len(page.Items) > 0 || page.Total > 0, err
	}),
	"wallet.Repository.CreateCustomer": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		c := walletCustomerOf(v, org)
		return attached(s.Wallet().CreateCustomer(ctx, &c))
	}),
	"wallet.Repository.Customer": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Wallet().Customer(ctx, org, v.counterparty.ID, v.walletCust.GUID, true))
	}),
	"wallet.Repository.FindCustomer": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Wallet().FindCustomer(ctx, org, v.walletCust.GUID))
	}),
	"wallet.Repository.FindAccount": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Wallet().FindAccount(ctx, org, v.walletAcct.GUID))
	}),
	"wallet.Repository.SaveCustomer": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		c := v.walletCust
		c.OrganizationID, c.Name, c.KYCLevel, c.UpdatedAt = org, ptr("Hijacked"), 2, t0.Add(time.Hour)
		return wrote(s.Wallet().SaveCustomer(ctx, &c))
	}),
	"wallet.Repository.ListCustomers": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		lr := wallet.ListRequest{PageRequest: wallet.PageRequest{Limit: 10}, Ordering: wallet.DefaultOrdering}
		all, err := s.Wallet().ListCustomers(ctx, org, v.counterparty.ID, wallet.CustomerFilter{}, lr)
		if err != nil {
			return false, err
		}
		one, err := s.Wallet().ListCustomers(ctx, org, v.counterparty.ID, wallet.CustomerFilter{GUIDs: []uuid.UUID{v.walletCust.GUID}}, lr)
		if err != nil {
			return false, err
		}
		searched, err := s.Wallet().ListCustomers(ctx, org, v.counterparty.ID, wallet.CustomerFilter{Search: v.walletAcct.GUID.String()}, lr)
		return len(all.Items)+len(one.Items)+len(searched.Items) > 0 || all.Total > 0, err
	}),
	"wallet.Repository.CreateAccount": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		a := walletAccountOf(v, org)
		return attached(s.Wallet().CreateAccount(ctx, &a))
	}),
	"wallet.Repository.ListAccounts": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Wallet().ListAccounts(ctx, org, v.walletCust.ID, nil))
	}),

	// banking
	"banking.Repository.WithTx": global("opens a transaction; runs no statement of its own"),
	"banking.Repository.CreateApplication": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		a := banking.Application{ID: newBankingID("app_"), OrganizationID: org, Type: banking.TypeIndividual, Status: banking.Draft,
			FirstName: "Eve", LastName: "Other", Email: "eve@example.com", Address: bankAddress, CreatedAt: t0, UpdatedAt: t0}
		return wrote(s.Banking().CreateApplication(ctx, &a))
	}),
	"banking.Repository.Application": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Banking().Application(ctx, org, v.application.ID, true))
	}),
	"banking.Repository.SaveApplication": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		a := v.application
		a.OrganizationID, a.Email, a.UpdatedAt = org, "hijacked@example.com", t0.Add(time.Hour)
		if err := s.Banking().SaveApplication(ctx, &a, false); err != nil {
			return false, err
		}
		a.Individuals = a.Individuals[:1]
		// replacing the individuals inserts rows on the application: refused elsewhere
		_, err := refused(s.Banking().SaveApplication(ctx, &a, true))
		return false, err
	}),
	"banking.Repository.ListApplications": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Banking().ListApplications(ctx, org, banking.ApplicationFilter{}, nil, 10))
	}),
	"banking.Repository.CreateDocument": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		d := v.document
		d.ID, d.OrganizationID = newBankingID("doc_"), org
		return attached(s.Banking().CreateDocument(ctx, &d))
	}),
	"banking.Repository.Document": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Banking().Document(ctx, org, v.application.ID, v.document.ID))
	}),
	"banking.Repository.CreateCustomer": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		c := banking.CustomerDetail{Customer: v.bankCust.Customer}
		c.ID, c.OrganizationID, c.ApplicationID = newBankingID("cust_"), org, v.application.ID
		return attached(s.Banking().CreateCustomer(ctx, &c))
	}),
	"banking.Repository.Customer": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Banking().Customer(ctx, org, v.bankCust.ID, true))
	}),
	"banking.Repository.CustomerDetail": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Banking().CustomerDetail(ctx, org, v.bankCust.ID))
	}),
	"banking.Repository.SaveCustomer": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		c := v.bankCust.Customer
		c.OrganizationID, c.Email, c.Status, c.UpdatedAt = org, "hijacked@example.com", banking.Frozen, t0.Add(time.Hour)
		return wrote(s.Banking().SaveCustomer(ctx, &c))
	}),
	"banking.Repository.UpdateCustomer": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		_, err := s.Banking().UpdateCustomer(ctx, org, v.bankCust.ID, func(c *banking.Customer) error {
			c.Email, c.UpdatedAt = "hijacked@example.com", t0.Add(time.Hour)
			return nil
		})
		return found(err)
	}),
	"banking.Repository.ListCustomers": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Banking().ListCustomers(ctx, org, banking.CustomerFilter{}, nil, 10))
	}),
	"banking.Repository.Individual": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Banking().Individual(ctx, org, v.bankCust.ID, v.bankCust.Individuals[0].ID, true))
	}),
	"banking.Repository.FindIndividual": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Banking().FindIndividual(ctx, org, v.bankCust.Individuals[0].ID))
	}),
	"banking.Repository.SaveIndividual": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		i := v.bankCust.Individuals[0]
		i.OrganizationID, i.Email, i.UpdatedAt = org, "hijacked@example.com", t0.Add(time.Hour)
		return wrote(s.Banking().SaveIndividual(ctx, &i))
	}),
	"banking.Repository.CloseAccounts": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Banking().CloseAccounts(ctx, org, v.bankCust.ID, t0.Add(time.Hour)))
	}),
	"banking.Repository.MarkDormant": global("the dormancy sweep over the customers of every organization"),

	// webhooks
	"webhook.Repository.WithTx":             global("opens a transaction; runs no statement of its own"),
	"webhook.Repository.Keys":               global("the service's own webhook signing keys, not an organization's"),
	"webhook.Repository.CreateKey":          global("the service's own webhook signing keys, not an organization's"),
	"webhook.Repository.RetireKey":          global("the service's own webhook signing keys, not an organization's"),
	"webhook.Repository.WebhooksWithoutKey": global("the start-up pass that gives every organization's old webhooks a key"),
	"webhook.Repository.PurgeBefore":        global("the retention sweep over every organization's deliveries and events"),
	"webhook.Repository.CreateWebhook": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		w := v.webhook
		w.ID, w.OrganizationID = 0, org
		return wrote(s.Webhooks().CreateWebhook(ctx, &w))
	}),
	"webhook.Repository.Webhook": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Webhooks().Webhook(ctx, org, v.webhook.ID, true))
	}),
	"webhook.Repository.SaveWebhook": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		w := v.webhook
		w.OrganizationID, w.URL, w.Status, w.UpdatedAt = org, "https://evil.example.com/x", webhook.Deactived, t0.Add(time.Hour)
		return wrote(s.Webhooks().SaveWebhook(ctx, &w))
	}),
	"webhook.Repository.DeleteWebhook": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return found(s.Webhooks().DeleteWebhook(ctx, org, v.webhook.ID))
	}),
	"webhook.Repository.ListWebhooks": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		page, err := s.Webhooks().ListWebhooks(ctx, org, pageOf10)
		return len(page.Items) > 0 || page.Total > 0, err
	}),
	"webhook.Repository.SetWebhookKey": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		k := webhook.Key{KeyID: "whk-" + rand.Text()[:8], Seed: make([]byte, 32), CreatedAt: t0}
		return wrote(s.Webhooks().SetWebhookKey(ctx, org, v.webhook.ID, k))
	}),
	"webhook.Repository.ActiveWebhooks": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Webhooks().ActiveWebhooks(ctx, org))
	}),
	"webhook.Repository.RecordEmission": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		var ds []webhook.Delivery
		err := s.WithTx(ctx, func(ctx context.Context) error {
			var err error
			ds, err = s.Webhooks().RecordEmission(ctx, org, []webhook.Event{eventOf(org)}, t0)
			return err
		})
		return len(ds) > 0, err
	}),
	"webhook.Repository.RecordDispatch": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		var ds []webhook.Dispatch
		err := s.WithTx(ctx, func(ctx context.Context) error {
			var err error
			ds, err = s.Webhooks().RecordDispatch(ctx, org, []webhook.Event{eventOf(org)}, t0, t0.Add(time.Minute))
			return err
		})
		return len(ds) > 0, err
	}),
	"webhook.Repository.DeleteDispatch": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return s.Webhooks().DeleteDispatch(ctx, org, v.dispatch.ID)
	}),
	"webhook.Repository.RecordDispatches": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		d := v.delivery
		d.State = webhook.Succeeded
		return wrote(s.Webhooks().RecordDispatches(ctx, []webhook.DispatchRecord{{OrganizationID: org, DispatchID: v.dispatch.ID, Ended: []webhook.Delivery{d}}}, 1, t0.Add(time.Hour)))
	}),
	"webhook.Repository.TakeDueDispatches": global("the sweep over every organization's dispatches that their process did not attempt in time"),
	"webhook.Repository.CreateEvents": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Webhooks().CreateEvents(ctx, []webhook.Event{eventOf(org)}))
	}),
	"webhook.Repository.Event": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Webhooks().Event(ctx, org, v.event.ID))
	}),
	"webhook.Repository.CreateDeliveries": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		e := eventOf(org)
		if err := s.Webhooks().CreateEvents(ctx, []webhook.Event{e}); err != nil {
			return false, err
		}
		d := webhook.Delivery{OrganizationID: org, WebhookID: v.webhook.ID, EventID: e.ID, State: webhook.Pending, NextAttemptAt: &t0, CreatedAt: t0, UpdatedAt: t0}
		return attached(s.Webhooks().CreateDeliveries(ctx, []*webhook.Delivery{&d}))
	}),
	"webhook.Repository.Delivery": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Webhooks().Delivery(ctx, org, v.delivery.ID, true))
	}),
	"webhook.Repository.SaveDelivery": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		d := v.delivery
		d.OrganizationID, d.State, d.Attempts, d.NextAttemptAt, d.UpdatedAt = org, webhook.Canceled, 5, nil, t0.Add(time.Hour)
		return wrote(s.Webhooks().SaveDelivery(ctx, &d))
	}),
	"webhook.Repository.Outgoing": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Webhooks().Outgoing(ctx, org, []int64{v.delivery.ID}))
	}),
	"webhook.Repository.RecordAttempt": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		d := v.delivery
		d.OrganizationID, d.State, d.NextAttemptAt, d.UpdatedAt = org, webhook.Succeeded, nil, t0.Add(time.Hour)
		return s.Webhooks().RecordAttempt(ctx, &d, 1)
	}),
	"webhook.Repository.RecordAttempts": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		d := v.delivery
		d.State = webhook.Succeeded
		n, err := s.Webhooks().RecordAttempts(ctx, org, []webhook.Delivery{d, d}, 1, t0.Add(time.Hour))
		return n > 0, err
	}),
	"webhook.Repository.ListDeliveries": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		page, err := s.Webhooks().ListDeliveries(ctx, org, v.webhook.ID, nil, pageOf10)
		return len(page.Items) > 0 || page.Total > 0, err
	}),
	"webhook.Repository.CancelPending": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Webhooks().CancelPending(ctx, org, v.webhook.ID, t0.Add(time.Hour)))
	}),

	// reports
	"reports.Repository.WithTx": global("opens a transaction; runs no statement of its own"),
	"reports.Repository.CreateReport": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		r := reportOf(org)
		return wrote(s.Reports().CreateReport(ctx, &r))
	}),
	"reports.Repository.Report": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Reports().Report(ctx, org, v.report.ID, true, true))
	}),
	"reports.Repository.SaveReport": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		r := v.report
		done := t0.Add(time.Hour)
		r.OrganizationID, r.Status, r.Content, r.ContentType, r.Size, r.CompletedAt, r.UpdatedAt = org, reports.Completed, []byte("a,b\n"), "text/csv", 4, &done, done
		return wrote(s.Reports().SaveReport(ctx, &r))
	}),
	"reports.Repository.ListReports": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		page, err := s.Reports().ListReports(ctx, org, pageOf10)
		return len(page.Items) > 0 || page.Total > 0, err
	}),

	// USSD sessions
	"ussd.Repository.WithTx": global("opens a transaction; runs no statement of its own"),
	"ussd.Repository.CreateSession": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		x := v.session
		x.ID, x.OrganizationID = "ussd_"+strings.ReplaceAll(uuid.NewString(), "-", ""), org
		return attached(s.USSD().CreateSession(ctx, &x))
	}),
	"ussd.Repository.Session": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.USSD().Session(ctx, org, v.session.ID, true))
	}),
	"ussd.Repository.SaveSession": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		x := v.session
		x.OrganizationID, x.State, x.UpdatedAt = org, ussd.Exit, t0.Add(time.Minute)
		return wrote(s.USSD().SaveSession(ctx, &x))
	}),

	// idempotency records
	"idempotency.Repository.Purge": global("the sweep of every organization's expired records"),
	"idempotency.Repository.Insert": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		// keys are per organization: the victim's key is free elsewhere
		rec := v.idem
		rec.OrganizationID, rec.Body = org, []byte(`{"other":true}`)
		inserted, err := s.Idempotency().Insert(ctx, &rec)
		return !inserted, err
	}),
	"idempotency.Repository.Record": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Idempotency().Record(ctx, org, v.idem.Key))
	}),
	"idempotency.Repository.Delete": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Idempotency().Delete(ctx, org, v.idem.Key))
	}),

	// organizations, tokens and signing keys
	"auth.Repository.WithTx":                 global("opens a transaction; runs no statement of its own"),
	"auth.Repository.CreateOrganization":     global("creates an organization: there is no other yet"),
	"auth.Repository.OrganizationByClientID": global("finds the organization of client credentials, before any is known"),
	"auth.Repository.CountOrganizations":     global("counts every organization (the first start's demo data)"),
	"auth.Repository.TokenByHash":            global("finds the organization of a bearer token: the look-up that authenticates"),
	"store.AuthRepo.DeleteExpiredTokens":     global("the sweep of every organization's expired tokens"),

	// sandbox controls: fault rules and the reset
	"sandbox.Repository.PurgeFaults": global("the sweep of every organization's expired and used-up fault rules"),
	"sandbox.Repository.CreateFault": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Sandbox().CreateFault(ctx, newRule(org, nil), t0))
	}),
	"sandbox.Repository.Faults": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Sandbox().Faults(ctx, org, t0))
	}),
	"sandbox.Repository.DeleteFault": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return found(s.Sandbox().DeleteFault(ctx, org, v.fault.ID, t0))
	}),
	"sandbox.Repository.ConsumeFault": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		_, ok, err := s.Sandbox().ConsumeFault(ctx, org, v.fault.ID, t0)
		return ok, err
	}),
	"sandbox.Repository.ResetOrganization": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		deleted, err := s.Sandbox().ResetOrganization(ctx, org)
		return len(deleted) > 0, err
	}),

	// the request inspector
	"inspector.Repository.WithTx":     global("opens a transaction; runs no statement of its own"),
	"inspector.Repository.PruneOlder": global("the retention sweep over every organization's inspected requests"),
	"inspector.Repository.PruneAll":   global("the cap on every organization's inspected requests (each pruned through PruneOrganization)"),
	"inspector.Repository.InsertRecords": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Inspector().InsertRecords(ctx, []inspector.Record{inspected(org, 2, 200)}))
	}),
	"inspector.Repository.Records": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		all, err := s.Inspector().Records(ctx, org, inspector.Filter{Limit: 10})
		if err != nil {
			return false, err
		}
		one, err := s.Inspector().Records(ctx, org, inspector.Filter{Limit: 10, RequestID: v.seen[0].RequestID})
		return len(all)+len(one) > 0, err
	}),
	"inspector.Repository.RecordsByID": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Inspector().RecordsByID(ctx, org, []uuid.UUID{v.seen[0].ID, v.seen[1].ID}))
	}),
	"inspector.Repository.Record": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Inspector().Record(ctx, org, v.seen[0].ID))
	}),
	"inspector.Repository.PruneOrganization": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		n, err := s.Inspector().PruneOrganization(ctx, org, 1)
		return n > 0, err
	}),
	"auth.Repository.CreateToken": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		tok := auth.Token{OrganizationID: org, Hash: []byte(rand.Text()), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		return wrote(s.Auth().CreateToken(ctx, &tok))
	}),
	"auth.Repository.RevokeToken": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		_, _, err := s.Auth().RevokeToken(ctx, org, v.token.ID, t0.Add(time.Minute))
		return found(err)
	}),
	"auth.Repository.SetSignaturePolicy": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return wrote(s.Auth().SetSignaturePolicy(ctx, org, auth.PolicyOptional))
	}),
	"auth.Repository.CreateKey": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		// key ids are per organization: the victim's is free elsewhere
		k := auth.SigningKey{OrganizationID: org, KeyID: v.key.KeyID, PublicKey: make([]byte, 32), CreatedAt: t0}
		return conflicted(s.Auth().CreateKey(ctx, &k))
	}),
	"auth.Repository.Keys": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return nonEmpty(s.Auth().Keys(ctx, org))
	}),
	"auth.Repository.Key": read(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return foundValue(s.Auth().Key(ctx, org, v.key.KeyID))
	}),
	"auth.Repository.RevokeKey": write(func(ctx context.Context, s *store.Store, v victim, org int64) (bool, error) {
		return found(s.Auth().RevokeKey(ctx, org, v.key.KeyID, t0.Add(time.Minute)))
	}),
}

// TestCrossOrganizationSuiteCoversEveryMethod: crossOrgCases has a row for
// each method of each repository interface, and none for a method that is
// gone.
func TestCrossOrganizationSuiteCoversEveryMethod(t *testing.T) {
	t.Parallel()
	methods := map[string]bool{}
	for _, r := range repositories {
		for i := range r.iface.NumMethod() {
			methods[r.iface.String()+"."+r.iface.Method(i).Name] = true
		}
		for i := range r.impl.NumMethod() {
			if name := r.impl.Method(i).Name; !methods[r.iface.String()+"."+name] {
				methods[r.impl.Elem().String()+"."+name] = true // beyond the interface
			}
		}
	}
	var missing, stale []string
	for m := range methods {
		if _, ok := crossOrgCases[m]; !ok {
			missing = append(missing, m)
		}
	}
	for m, c := range crossOrgCases {
		if !methods[m] {
			stale = append(stale, m)
		}
		require.True(t, (c.probe == nil) != (c.global == ""), "%s: give it a probe or say why it is global, not both", m)
	}
	slices.Sort(missing)
	slices.Sort(stale)
	require.Empty(t, missing, "repository methods without a row in crossOrgCases: add a probe (or the reason the method spans organizations)")
	require.Empty(t, stale, "rows of crossOrgCases for methods that no repository has")
}

// TestCrossOrganization runs every probe of crossOrgCases on both
// dialects: another organization's ids find nothing and change nothing.
func TestCrossOrganization(t *testing.T) {
	t.Parallel()
	names := make([]string, 0, len(crossOrgCases))
	for name, c := range crossOrgCases {
		if c.probe != nil {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		tables := tenantTables(t, s)
		// Reads share one victim (they change none of its rows, which each
		// checks); a write gets one of its own. Each case has its own
		// other organization, with no rows of its own to find.
		shared := seedVictim(t, setup(t, s))
		for _, name := range names {
			c := crossOrgCases[name]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				f := setup(t, s)
				v := shared
				if c.writes {
					v = seedVictim(t, f)
				}
				before := snapshot(t, s, tables, v.org)

				got, err := c.probe(f.ctx, s, v, f.other)
				require.NoError(t, err, "as another organization")
				require.False(t, got, "another organization's call found the victim's rows")
				require.Equal(t, before, snapshot(t, s, tables, v.org), "another organization's call changed the victim's rows")

				// The same call as the victim reaches its rows: the probe is not vacuous.
				got, err = c.probe(f.ctx, s, v, v.org)
				require.NoError(t, err, "as the organization itself")
				if c.writes {
					require.False(t, slices.Equal(before, snapshot(t, s, tables, v.org)), "the organization's own call changes its rows")
				} else {
					require.True(t, got, "the organization's own call finds its rows")
				}
			})
		}
	})
}

// tenantTables lists the tables with an organization_id column.
func tenantTables(t *testing.T, s *store.Store) []string {
	t.Helper()
	q := `SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'organization_id' ORDER BY 1`
	if s.Dialect == store.SQLite {
		q = `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'organization_id' ORDER BY 1`
	}
	var tables []string
	require.NoError(t, s.DB.WithContext(t.Context()).Raw(q).Scan(&tables).Error)
	require.Contains(t, tables, "customers")
	require.Contains(t, tables, "idempotency_keys")
	return tables
}

// snapshot is every row of the organization, as text, in a stable order:
// its organizations row and its rows of every table that carries one.
func snapshot(t *testing.T, s *store.Store, tables []string, org int64) []string {
	t.Helper()
	db := s.DB.WithContext(t.Context())
	var out []string
	add := func(table string, rows []map[string]any) {
		for _, row := range rows {
			out = append(out, table+" "+fmt.Sprint(row))
		}
	}
	var rows []map[string]any
	require.NoError(t, db.Table("organizations").Where("id = ?", org).Find(&rows).Error)
	require.Len(t, rows, 1)
	add("organizations", rows)
	for _, table := range tables {
		rows = nil
		require.NoError(t, db.Table(table).Where("organization_id = ?", org).Find(&rows).Error)
		add(table, rows)
	}
	sort.Strings(out)
	return out
}

// TestOrganizationFilterInOnePlace: no repository statement spells its
// organization filter out; each goes through inOrg (tenancy.go).
func TestOrganizationFilterInOnePlace(t *testing.T) {
	t.Parallel()
	literal := regexp.MustCompile(`(?i)organization_id\s*(=|<>|!=|\bIN\b)\s*[?@$(]`)
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var found []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || name == "tenancy.go" {
			continue
		}
		src, err := os.ReadFile(name)
		require.NoError(t, err)
		for i, line := range strings.Split(string(src), "\n") {
			if literal.MatchString(line) {
				found = append(found, fmt.Sprintf("%s:%d: %s", name, i+1, strings.TrimSpace(line)))
			}
		}
	}
	require.Empty(t, found, "scope these statements with Scopes(inOrg(orgID)) instead")
}
