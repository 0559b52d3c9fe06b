package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// TestWebhookStatementsInSimpleProtocol: behind a transaction pooler the
// store runs in pgx's simple protocol (store.PoolURL), where every argument
// is written into the statement as a literal; an emission (its filtered
// webhook read takes a text[]) and a delivery job's read (its ids a
// bigint[]) work there too, and store what they were given (a []byte
// argument is written as a bytea literal there: an event's data sent as
// one was stored as the text "\x7b22…", and every delivery of it failed
// behind PgBouncer). So does the combined create of a customer with its
// accounts, whose shared arguments are written once each.
func TestWebhookStatementsInSimpleProtocol(t *testing.T) {
	t.Parallel()
	url, _, err := store.PoolURL(testdb.FreshURL(t), true)
	require.NoError(t, err)
	require.True(t, strings.Contains(url, "simple_protocol"))
	s, err := store.Open(url, store.Options{MaxConns: 2})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	_, err = s.Migrate(t.Context())
	require.NoError(t, err)
	f := setup(t, s)
	repo := s.Webhooks()
	w := webhook.Webhook{OrganizationID: f.org, URL: "https://hooks.example.com/simple", Subscriptions: []string{"CUSTOMER"}, Status: webhook.Active, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, repo.CreateWebhook(f.ctx, &w))
	es := []webhook.Event{
		{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":1}`)},
		{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.UPDATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":1}`)},
	}
	var ds []webhook.Delivery
	require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
		ds, err = repo.RecordEmission(ctx, f.org, es, t0)
		return err
	}))
	require.Len(t, ds, 2)
	out, err := repo.Outgoing(f.ctx, f.org, []int64{ds[0].ID, ds[1].ID})
	require.NoError(t, err)
	require.Len(t, out, 2)
	for i, o := range out {
		require.JSONEq(t, string(es[i].Data), string(o.Event.Data), "the event's data as emitted, not its bytes spelled as a bytea literal")
	}
	stored, err := repo.Event(f.ctx, f.org, es[0].ID)
	require.NoError(t, err)
	require.JSONEq(t, string(es[0].Data), string(stored.Data))
	n, err := repo.RecordAttempts(f.ctx, f.org, ds, 1, t0)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)

	// an emission with dispatches: the events' data and the webhook's
	// key as stored, its due time as given
	w.Key = &webhook.Key{KeyID: "whk-simple", Seed: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: t0}
	require.NoError(t, repo.SetWebhookKey(f.ctx, f.org, w.ID, *w.Key))
	es2 := []webhook.Event{{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":2}`)}}
	var dispatched []webhook.Dispatch
	require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
		dispatched, err = repo.RecordDispatch(ctx, f.org, es2, t0, t0.Add(time.Minute))
		return err
	}))
	require.Len(t, dispatched, 1)
	require.Equal(t, w.Key.Seed, dispatched[0].Out[0].Webhook.Key.Seed)
	require.JSONEq(t, string(es2[0].Data), string(dispatched[0].Out[0].Event.Data))
	due, err := repo.TakeDueDispatches(f.ctx, t0.Add(time.Minute), 10)
	require.NoError(t, err)
	require.Equal(t, []webhook.DueDispatch{{ID: dispatched[0].ID, OrganizationID: f.org, WebhookID: w.ID, DeliveryIDs: []int64{dispatched[0].Out[0].Delivery.ID}}}, due)

	// a batch of dispatch records: its arrays (with a NULL status code)
	// written as literals
	var second []webhook.Dispatch
	require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
		es3 := []webhook.Event{{ID: uuid.NewString(), OrganizationID: f.org, Name: "CUSTOMER.CREATED", CreatedAt: t0, Data: json.RawMessage(`{"customerId":3}`)}}
		second, err = repo.RecordDispatch(ctx, f.org, es3, t0, t0.Add(time.Minute))
		return err
	}))
	ended := second[0].Out[0].Delivery
	msg := "the receiver answered 500"
	ended.State, ended.LastError = webhook.Failed, &msg
	require.NoError(t, repo.RecordDispatches(f.ctx, []webhook.DispatchRecord{{OrganizationID: f.org, DispatchID: second[0].ID, Ended: []webhook.Delivery{ended}}}, 1, t0))
	storedD, err := repo.Delivery(f.ctx, f.org, ended.ID, false)
	require.NoError(t, err)
	require.Equal(t, webhook.Failed, storedD.State)
	require.Nil(t, storedD.LastStatusCode)
	require.Equal(t, msg, *storedD.LastError)

	// the idempotency claim's bytes (bytea columns) round-trip as given
	rec := idempotency.Record{OrganizationID: f.org, Key: "simple-1", Method: "POST", Path: "/v1/customers", RequestHash: []byte{0, 1, 0xfe, 0xff},
		Status: 201, ContentType: "application/json", Body: []byte(`{"data":{}}`), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	inserted, err := s.Idempotency().Insert(f.ctx, &rec)
	require.NoError(t, err)
	require.True(t, inserted)
	got, err := s.Idempotency().Record(f.ctx, f.org, "simple-1")
	require.NoError(t, err)
	require.Equal(t, rec.RequestHash, got.RequestHash)
	require.Equal(t, string(rec.Body), string(got.Body))

	// the combined create: its shared arguments (numeric amounts as text,
	// a nil spelling, one timestamp for every row) written as literals
	ref := "simple-ref"
	c := investing.Customer{OrganizationID: f.org, FirstName: "Ada", LastName: "Mwale", ReferenceID: &ref, Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
	a := investing.Account{OrganizationID: f.org, InvestmentType: investing.Bonds, Currency: investing.Currency("ZK"), Status: investing.Active, CreatedAt: t0, UpdatedAt: t0}
	p := investing.Portfolio{OrganizationID: f.org, InvestmentType: &a.InvestmentType, Currency: investing.Currency("ZK"), Status: investing.Active,
		InvestmentAmount: decimal.RequireFromString("12.5"), MarketValue: decimal.Zero, Performance: decimal.RequireFromString("-0.00000001"), CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
		if err := s.Investing().CreateCustomerWithAccounts(ctx, &c, []*investing.Account{&a}, []*investing.Portfolio{&p}); err != nil {
			return err
		}
		require.False(t, webhook.TakeNoneActive(ctx, f.org), "the organization's active webhook was read")
		return nil
	}))
	gotC, err := s.Investing().Customer(f.ctx, f.org, c.ID, false)
	require.NoError(t, err)
	require.Equal(t, c, gotC)
	gotA, err := s.Investing().Account(f.ctx, f.org, a.ID, false)
	require.NoError(t, err)
	require.Equal(t, a, gotA)
	gotP, err := s.Investing().Portfolio(f.ctx, f.org, p.ID, false)
	require.NoError(t, err)
	requirePortfolio(t, p, gotP)

	// a request's insert, which counts itself in the same statement
	amount := decimal.RequireFromString("25.5")
	q := trading.Request{OrganizationID: f.org, CustomerID: c.ID, AccountID: a.ID, PortfolioID: p.ID, Type: trading.Purchase, Status: trading.Pending,
		Currency: investing.Currency("ZK"), InstrumentID: 1, Symbol: "AAPL", PurchaseAmount: &amount, Schedule: trading.Once, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, s.Trading().CreateRequest(f.ctx, &q))
	gotQ, err := s.Trading().Request(f.ctx, f.org, q.ID, false)
	require.NoError(t, err)
	require.Equal(t, "25.5", gotQ.PurchaseAmount.String())
	var counted int64
	require.NoError(t, s.DB.WithContext(f.ctx).Raw(`SELECT coalesce(sum(n), 0) FROM list_counts WHERE organization_id = ? AND list = 'requests'`, f.org).Scan(&counted).Error)
	require.Equal(t, int64(2), counted, "its two count keys, once each")
}
