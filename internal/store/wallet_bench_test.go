package store_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// benchCustomers is the size of the counterparty the list benchmarks read.
const benchCustomers = 100_000

var (
	benchOnce sync.Once
	benchData struct {
		s     *store.Store
		org   int64
		cp    wallet.Counterparty
		login string
		iban  string
	}
)

// seedBench fills one counterparty with benchCustomers customers, each with
// one wallet account (half of them with an IBAN), once per run, in SQL:
// the names, logins, phone numbers, segments, statuses, KYC levels,
// balances, branches and dates vary the way a back office's do.
func seedBench(b *testing.B) {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		// Open for the whole run (not closed with this b: -count reuses it).
		s, err := store.Open(testdb.URL(), store.Options{MaxConns: 4})
		require.NoError(b, err)
		org := newOrg(b, s, orgOpts{})
		cp := wallet.Counterparty{GUID: uuid.New(), OrganizationID: org.ID, Name: "Bench Bank", CreatedAt: t0, UpdatedAt: t0}
		require.NoError(b, s.Wallet().CreateCounterparty(ctx, &cp))
		start := time.Now()
		db := s.DB.WithContext(ctx)
		require.NoError(b, db.Exec(`
INSERT INTO wallet_customers (guid, organization_id, counterparty_id, login, name, surname, paternal_name, phone_number,
    segment, status, kyc_level, is_disabled, branch_guid, balance_allowed, balance_asset_code, balance_asset_issuer,
    asset_code, asset_issuer, created_at, updated_at)
SELECT gen_random_uuid(), ?, ?,
    CASE WHEN i % 3 = 0 THEN '+26097' || lpad(i::text, 7, '0') ELSE 'user' || i || '@example.com' END,
    (ARRAY['Jane','John','Chanda','Mwila','Bwalya','Mulenga','Natasha','Kondwani','Thandiwe','Lubinda'])[1 + i % 10] || (i % 97),
    (ARRAY['Banda','Phiri','Mwale','Tembo','Zulu','Lungu','Daka','Sakala','Mumba','Chola'])[1 + (i / 10) % 10] || (i % 89),
    CASE WHEN i % 4 = 0 THEN NULL ELSE 'Paternal' || (i % 500) END,
    '+26097' || lpad(i::text, 7, '0'),
    (ARRAY['PL','PI',NULL])[1 + i % 3],
    (ARRAY['active','review','blocked','active','active'])[1 + i % 5],
    i % 4, i % 20 = 0,
    ('00000000-0000-7000-8000-' || lpad((i % 20)::text, 12, '0'))::uuid,
    round((i * 7919 % 1000000) / 10.0, 1),
    CASE WHEN i % 3 = 0 THEN 'USDC' END, CASE WHEN i % 3 = 0 THEN ? END,
    'ZMWT', ?,
    ?::timestamptz + i * interval '5 minutes',
    ?::timestamptz + i * interval '5 minutes' + (i % 1000) * interval '1 minute'
FROM generate_series(1, ?) AS i`, org.ID, cp.ID, issuerB, issuerA, t0, t0, benchCustomers).Error)
		require.NoError(b, db.Exec(`
INSERT INTO wallet_accounts (guid, organization_id, counterparty_id, customer_id, iban, asset_code, asset_issuer, created_at, updated_at)
SELECT gen_random_uuid(), organization_id, counterparty_id, id,
    CASE WHEN id % 2 = 0 THEN 'GB' || lpad((id % 97)::text, 2, '0') || 'BENC' || lpad(id::text, 14, '0') END,
    asset_code, asset_issuer, created_at, created_at
FROM wallet_customers WHERE counterparty_id = ?`, cp.ID).Error)
		require.NoError(b, db.Exec(`VACUUM ANALYZE wallet_customers`).Error)
		require.NoError(b, db.Exec(`VACUUM ANALYZE wallet_accounts`).Error)
		b.Logf("seeded %d customers and their accounts in %s", benchCustomers, time.Since(start).Round(time.Millisecond))
		benchData.s, benchData.org, benchData.cp = s, org.ID, cp
		benchData.login = "user50000@example.com"
		require.NoError(b, db.Raw(`SELECT iban FROM wallet_accounts WHERE counterparty_id = ? AND iban IS NOT NULL ORDER BY id OFFSET 40000 LIMIT 1`, cp.ID).Scan(&benchData.iban).Error)
	})
	if benchData.s == nil {
		b.Fatal("seeding failed")
	}
}

// BenchmarkWalletListCustomers measures GET …/customers over one
// counterparty of 100,000 customers on PostgreSQL: each op is one page and
// its total, as the API answers them. `make bench-wallet` runs it;
// OPENVEST_BENCH_EXPLAIN=1 logs the plan of every query (EXPLAIN ANALYZE).
func BenchmarkWalletListCustomers(b *testing.B) {
	if testing.Short() {
		b.Skip("seeds 100,000 customers; not in -short")
	}
	seedBench(b)
	dec := func(v string) *decimal.Decimal { d := decimal.RequireFromString(v); return &d }
	page := func(offset, limit int, o wallet.Ordering) wallet.ListRequest {
		return wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: offset, Limit: limit}, Ordering: o}
	}
	first := page(0, 100, wallet.DefaultOrdering)
	for _, bc := range []struct {
		name string
		f    wallet.CustomerFilter
		r    wallet.ListRequest
	}{
		{"default", wallet.CustomerFilter{}, first},
		{"ordering=-balance_allowed", wallet.CustomerFilter{}, page(0, 100, wallet.Ordering{Field: wallet.SortBalanceAllowed, Desc: true})},
		{"ordering=name", wallet.CustomerFilter{}, page(0, 100, wallet.Ordering{Field: wallet.SortName})},
		{"logins=one", wallet.CustomerFilter{Logins: []string{benchData.login}}, first},
		{"names=one_of_970", wallet.CustomerFilter{Names: []string{"Chanda42"}}, first},
		{"phone_numbers=one", wallet.CustomerFilter{PhoneNumbers: []string{"+2609700012345"}}, first},
		{"is_disabled=true(5%)", wallet.CustomerFilter{IsDisabled: ptr(true)}, first},
		{"kyc_levels=3,segments=PI", wallet.CustomerFilter{KYCLevels: []int{3}, Segments: []wallet.Segment{wallet.ProfessionalIndemnity}}, first},
		{"balance_range(1%)", wallet.CustomerFilter{MinBalanceAllowed: dec("1000"), MaxBalanceAllowed: dec("2000")}, first},
		{"created_range(1_day)", wallet.CustomerFilter{MinCreatedAt: ptr(t0.Add(100 * 24 * time.Hour)), MaxCreatedAt: ptr(t0.Add(101 * 24 * time.Hour))}, first},
		{"search_string=substring", wallet.CustomerFilter{Search: "ndiwe4"}, first},
		{"search_string=iban", wallet.CustomerFilter{Search: benchData.iban}, first},
		{"offset=99900", wallet.CustomerFilter{}, page(99_900, 100, wallet.DefaultOrdering)},
		{"offset=50000,ordering=-name", wallet.CustomerFilter{}, page(50_000, 100, wallet.Ordering{Field: wallet.SortName, Desc: true})},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			repo := benchData.s.Wallet()
			if os.Getenv("OPENVEST_BENCH_EXPLAIN") != "" {
				explain(b, bc.f, bc.r)
			}
			b.ResetTimer()
			for b.Loop() {
				p, err := repo.ListCustomers(ctx, benchData.org, benchData.cp.ID, bc.f, bc.r)
				if err != nil {
					b.Fatal(err)
				}
				_ = p
			}
		})
	}
}

// explain runs the list once with a store that records its SQL, and logs
// the plan of each statement.
func explain(b *testing.B, f wallet.CustomerFilter, r wallet.ListRequest) {
	b.Helper()
	rec := &sqlRecorder{}
	s := &store.Store{DB: benchData.s.DB.Session(&gorm.Session{Logger: rec}), Dialect: benchData.s.Dialect}
	_, err := s.Wallet().ListCustomers(context.Background(), benchData.org, benchData.cp.ID, f, r)
	require.NoError(b, err)
	for _, q := range rec.sql {
		var lines []string
		require.NoError(b, benchData.s.DB.Raw("EXPLAIN (ANALYZE, BUFFERS) "+q).Scan(&lines).Error)
		b.Logf("%s\n  %s", q, strings.Join(lines, "\n  "))
	}
}

// sqlRecorder is a GORM logger that keeps each statement with its values.
type sqlRecorder struct {
	mu  sync.Mutex
	sql []string
}

func (r *sqlRecorder) LogMode(logger.LogLevel) logger.Interface { return r }
func (r *sqlRecorder) Info(context.Context, string, ...any)     {}
func (r *sqlRecorder) Warn(context.Context, string, ...any)     {}
func (r *sqlRecorder) Error(context.Context, string, ...any)    {}
func (r *sqlRecorder) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	q, _ := fc()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sql = append(r.sql, q)
}
