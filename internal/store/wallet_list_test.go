package store_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// walletDataset is four customers of one counterparty with values chosen so
// that every filter both includes and excludes some of them, and every
// ordering has ties (broken by id) and absent values; plus look-alikes in a
// sibling counterparty and another organization that must never be listed.
type walletDataset struct {
	walletFixture
	c              [4]wallet.Customer
	accounts       [4]wallet.Account
	branch1        uuid.UUID
	decoy, foreign wallet.Customer
}

func seedWallet(t *testing.T, s *store.Store) walletDataset {
	t.Helper()
	d := walletDataset{walletFixture: setupWallet(t, s), branch1: uuid.New()}
	branch2 := uuid.New()
	dec := decimal.RequireFromString
	d.c[0] = d.walletCustomer(t, d.cp, wallet.Customer{
		Login: ptr("jane@example.com"), Name: ptr("Jane"), Surname: ptr("Banda"), PaternalName: ptr("Mwila"),
		PhoneNumber: ptr("+260971000001"), Segment: ptr(wallet.PublicLiability), Status: ptr("active"),
		KYCLevel: 0, BalanceAllowed: dec("0"), BranchGUID: &d.branch1,
		CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
	})
	d.c[1] = d.walletCustomer(t, d.cp, wallet.Customer{
		Login: ptr("+260971000002"), Name: ptr("John"), Surname: ptr("Phiri"),
		PhoneNumber: ptr("+260971000002"), Segment: ptr(wallet.ProfessionalIndemnity), Status: ptr("review"),
		KYCLevel: 2, IsDisabled: true, BalanceAllowed: dec("100.5"), BalanceAssetCode: ptr("USDC"), BalanceAssetIssuer: ptr(issuerA),
		BranchGUID: &branch2, CreatedAt: t0.Add(time.Second), UpdatedAt: t0.Add(2 * time.Hour),
	})
	d.c[2] = d.walletCustomer(t, d.cp, wallet.Customer{
		Name: ptr("Jane"), Surname: ptr("Mwale"), PaternalName: ptr("Mwila"),
		KYCLevel: 3, BalanceAllowed: dec("922337203685.4775807"),
		CreatedAt: t0.Add(time.Second), UpdatedAt: t0,
	})
	d.c[3] = d.walletCustomer(t, d.cp, wallet.Customer{
		Login: ptr("chanda_99"), Surname: ptr("Banda"), Segment: ptr(wallet.PublicLiability), Status: ptr("active"),
		KYCLevel: 2, BalanceAllowed: dec("100.5000001"), BalanceAssetCode: ptr("EURT"), BalanceAssetIssuer: ptr(issuerB),
		CreatedAt: t0.Add(2 * time.Second), UpdatedAt: t0.Add(3 * time.Hour),
	})
	ibans := []*string{ptr("GB82WEST12345698765432"), nil, nil, ptr("DE89370400440532013000")}
	for i, c := range d.c {
		d.accounts[i] = d.walletAccount(t, c, ibans[i])
	}
	look := wallet.Customer{
		Login: ptr("jane@example.com"), Name: ptr("Jane"), Surname: ptr("Banda"), PaternalName: ptr("Mwila"),
		PhoneNumber: ptr("+260971000001"), Segment: ptr(wallet.PublicLiability), Status: ptr("active"),
		BranchGUID: &d.branch1, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
	}
	d.decoy = d.walletCustomer(t, d.sibling, look)
	d.walletAccount(t, d.decoy, ptr("NL91ABNA0417164300"))
	d.foreign = d.walletCustomer(t, d.otherOrgCp, look)
	d.walletAccount(t, d.foreign, ptr("GB82WEST12345698765432"))
	return d
}

func (d walletDataset) list(t *testing.T, f wallet.CustomerFilter, r wallet.ListRequest) ([]int64, int64) {
	t.Helper()
	if r.Ordering.Field == "" {
		r.Ordering = wallet.DefaultOrdering
	}
	page, err := d.repo.ListCustomers(d.ctx, d.org, d.cp.ID, f, r)
	require.NoError(t, err)
	return idsOf(page.Items, func(c wallet.Customer) int64 { return c.ID }), page.Total
}

func TestWalletListCustomersFilters(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		d := seedWallet(t, s)
		c := d.c
		dec := func(v string) *decimal.Decimal { x := decimal.RequireFromString(v); return &x }
		at := func(dur time.Duration) *time.Time { x := t0.Add(dur).In(time.FixedZone("X", -7*3600)); return &x }
		for _, tc := range []struct {
			name   string
			filter wallet.CustomerFilter
			want   []wallet.Customer
		}{
			{"none", wallet.CustomerFilter{}, c[:]},
			{"wallet_user_guids", wallet.CustomerFilter{GUIDs: []uuid.UUID{c[1].GUID, c[3].GUID, d.decoy.GUID}}, []wallet.Customer{c[1], c[3]}},
			{"logins", wallet.CustomerFilter{Logins: []string{"jane@example.com", "chanda_99", "nobody"}}, []wallet.Customer{c[0], c[3]}},
			{"logins, case matters", wallet.CustomerFilter{Logins: []string{"JANE@example.com"}}, nil},
			{"kyc_levels", wallet.CustomerFilter{KYCLevels: []int{2}}, []wallet.Customer{c[1], c[3]}},
			{"kyc_levels, two", wallet.CustomerFilter{KYCLevels: []int{0, 3}}, []wallet.Customer{c[0], c[2]}},
			{"is_disabled", wallet.CustomerFilter{IsDisabled: ptr(true)}, []wallet.Customer{c[1]}},
			{"is_disabled false", wallet.CustomerFilter{IsDisabled: ptr(false)}, []wallet.Customer{c[0], c[2], c[3]}},
			{"min_balance_allowed", wallet.CustomerFilter{MinBalanceAllowed: dec("100.5")}, []wallet.Customer{c[1], c[2], c[3]}},
			{"max_balance_allowed", wallet.CustomerFilter{MaxBalanceAllowed: dec("100.5")}, []wallet.Customer{c[0], c[1]}},
			{"balance range", wallet.CustomerFilter{MinBalanceAllowed: dec("100.5000001"), MaxBalanceAllowed: dec("1000")}, []wallet.Customer{c[3]}},
			{"balance_asset_codes", wallet.CustomerFilter{BalanceAssetCodes: []string{"USDC"}}, []wallet.Customer{c[1]}},
			{"balance_asset_issuers", wallet.CustomerFilter{BalanceAssetIssuers: []string{issuerB}}, []wallet.Customer{c[3]}},
			{"branch_guids", wallet.CustomerFilter{BranchGUIDs: []uuid.UUID{d.branch1}}, []wallet.Customer{c[0]}},
			{"names", wallet.CustomerFilter{Names: []string{"Jane"}}, []wallet.Customer{c[0], c[2]}},
			{"names, exact", wallet.CustomerFilter{Names: []string{"jane", "Jan"}}, nil},
			{"paternal_names", wallet.CustomerFilter{PaternalNames: []string{"Mwila"}}, []wallet.Customer{c[0], c[2]}},
			{"phone_numbers", wallet.CustomerFilter{PhoneNumbers: []string{"+260971000002"}}, []wallet.Customer{c[1]}},
			{"segments", wallet.CustomerFilter{Segments: []wallet.Segment{wallet.PublicLiability}}, []wallet.Customer{c[0], c[3]}},
			{"segments PI", wallet.CustomerFilter{Segments: []wallet.Segment{wallet.ProfessionalIndemnity}}, []wallet.Customer{c[1]}},
			{"statuses", wallet.CustomerFilter{Statuses: []string{"active"}}, []wallet.Customer{c[0], c[3]}},
			{"surnames", wallet.CustomerFilter{Surnames: []string{"Banda", "Phiri"}}, []wallet.Customer{c[0], c[1], c[3]}},
			{"min_created_at", wallet.CustomerFilter{MinCreatedAt: at(time.Second)}, []wallet.Customer{c[1], c[2], c[3]}},
			{"max_created_at", wallet.CustomerFilter{MaxCreatedAt: at(time.Second)}, []wallet.Customer{c[0], c[1], c[2]}},
			{"created range", wallet.CustomerFilter{MinCreatedAt: at(time.Millisecond), MaxCreatedAt: at(1500 * time.Millisecond)}, []wallet.Customer{c[1], c[2]}},
			{"min_updated_at", wallet.CustomerFilter{MinUpdatedAt: at(2 * time.Hour)}, []wallet.Customer{c[1], c[3]}},
			{"max_updated_at", wallet.CustomerFilter{MaxUpdatedAt: at(time.Hour)}, []wallet.Customer{c[0], c[2]}},
			{"search, name, any case", wallet.CustomerFilter{Search: "jAN"}, []wallet.Customer{c[0], c[2]}},
			{"search, surname", wallet.CustomerFilter{Search: "banda"}, []wallet.Customer{c[0], c[3]}},
			{"search, login", wallet.CustomerFilter{Search: "example.COM"}, []wallet.Customer{c[0]}},
			{"search, underscore is literal", wallet.CustomerFilter{Search: "a_9"}, []wallet.Customer{c[3]}},
			{"search, percent is literal", wallet.CustomerFilter{Search: "%"}, nil},
			{"search, account guid", wallet.CustomerFilter{Search: d.accounts[1].GUID.String()}, []wallet.Customer{c[1]}},
			{"search, customer guid", wallet.CustomerFilter{Search: c[2].GUID.String()}, []wallet.Customer{c[2]}},
			{"search, IBAN in any form", wallet.CustomerFilter{Search: "de89 3704 0044 0532 0130 00"}, []wallet.Customer{c[3]}},
			{"search, another counterparty's IBAN", wallet.CustomerFilter{Search: "NL91ABNA0417164300"}, nil},
			{"search, another counterparty's customer", wallet.CustomerFilter{Search: d.decoy.GUID.String()}, nil},
			{"search, nothing", wallet.CustomerFilter{Search: "nobody"}, nil},
			{"combined", wallet.CustomerFilter{Names: []string{"Jane"}, IsDisabled: ptr(false), KYCLevels: []int{3}, Search: "mwale"}, []wallet.Customer{c[2]}},
			{"combined, no match", wallet.CustomerFilter{Names: []string{"Jane"}, IsDisabled: ptr(true)}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				want := idsOf(tc.want, func(c wallet.Customer) int64 { return c.ID })
				got, total := d.list(t, tc.filter, wallet.ListRequest{PageRequest: wallet.PageRequest{Limit: 10}})
				require.Equal(t, want, got)
				require.EqualValues(t, len(want), total)
				// A page smaller than the result still counts all of it.
				if len(want) > 1 {
					got, total = d.list(t, tc.filter, wallet.ListRequest{PageRequest: wallet.PageRequest{Limit: 1}})
					require.Equal(t, want[:1], got)
					require.EqualValues(t, len(want), total)
				}
			})
		}
	})
}

func TestWalletListCustomersOrdering(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		d := seedWallet(t, s)
		c := d.c
		// The ascending order of each field: ties by id, absent values last.
		for field, asc := range map[wallet.SortField][]wallet.Customer{
			wallet.SortCreatedAt:      {c[0], c[1], c[2], c[3]},
			wallet.SortUpdatedAt:      {c[2], c[0], c[1], c[3]},
			wallet.SortName:           {c[0], c[2], c[1], c[3]},
			wallet.SortSurname:        {c[0], c[3], c[2], c[1]},
			wallet.SortLogin:          {c[1], c[3], c[0], c[2]},
			wallet.SortKYCLevel:       {c[0], c[1], c[3], c[2]},
			wallet.SortBalanceAllowed: {c[0], c[1], c[3], c[2]},
		} {
			t.Run(string(field), func(t *testing.T) {
				t.Parallel()
				wantASC := idsOf(asc, func(c wallet.Customer) int64 { return c.ID })
				for _, desc := range []bool{false, true} {
					want := slices.Clone(wantASC)
					if desc {
						slices.Reverse(want)
					}
					for _, limit := range []int{1, 3, 4, 5} {
						var walked []int64
						for offset := 0; offset <= len(want); offset += limit {
							got, total := d.list(t, wallet.CustomerFilter{}, wallet.ListRequest{
								PageRequest: wallet.PageRequest{Offset: offset, Limit: limit},
								Ordering:    wallet.Ordering{Field: field, Desc: desc},
							})
							require.EqualValues(t, len(want), total, "desc=%v limit=%d offset=%d", desc, limit, offset)
							walked = append(walked, got...)
						}
						require.Equal(t, want, walked, "desc=%v limit=%d", desc, limit)
					}
				}
			})
		}
	})
}

// TestWalletListDeepPages: from offset 1000 a page is read as ids first (a
// deferred join); it is the same page as the direct read gives.
func TestWalletListDeepPages(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		f := setupWallet(t, s)
		names := []string{"Jane", "John", "Chanda"}
		require.NoError(t, s.WithTx(f.ctx, func(ctx context.Context) error {
			for i := range 1400 { // 1,050 of them at KYC levels 0 to 2
				c := wallet.Customer{
					GUID: uuid.New(), OrganizationID: f.org, CounterpartyID: f.cp.ID, Name: ptr(names[i%3]),
					KYCLevel: i % 4, BalanceAllowed: decimal.NewFromInt(int64(i % 7)), AssetCode: "ZMWT", AssetIssuer: issuerA,
					CreatedAt: t0.Add(time.Duration(i%50) * time.Second), UpdatedAt: t0,
				}
				if i%5 == 0 {
					c.Name = nil
				}
				if err := f.repo.CreateCustomer(ctx, &c); err != nil {
					return err
				}
			}
			return nil
		}))
		for _, o := range []wallet.Ordering{{Field: wallet.SortCreatedAt}, {Field: wallet.SortName, Desc: true}, {Field: wallet.SortBalanceAllowed}} {
			for _, filter := range []wallet.CustomerFilter{{}, {KYCLevels: []int{0, 1, 2}}} {
				list := func(offset, limit int) ([]int64, int64) {
					page, err := f.repo.ListCustomers(f.ctx, f.org, f.cp.ID, filter, wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: offset, Limit: limit}, Ordering: o})
					require.NoError(t, err)
					return idsOf(page.Items, func(c wallet.Customer) int64 { return c.ID }), page.Total
				}
				direct, total := list(600, 450) // below the threshold: one read
				deep, deepTotal := list(1000, 50)
				require.Equal(t, total, deepTotal)
				require.Equal(t, direct[400:], deep, "%s %+v", o, filter)
				require.NotEmpty(t, deep)
				// past the middle, unfiltered lists read from the other end
				far, farTotal := list(1001, 49)
				require.Equal(t, total, farTotal)
				require.Equal(t, direct[401:], far, "%s %+v", o, filter)
				tail, _ := list(950, 450)
				last, lastTotal := list(tail0(total, 950), 50)
				require.Equal(t, total, lastTotal)
				require.Equal(t, tail[tail0(total, 950)-950:], last, "%s %+v", o, filter)
			}
		}
		// Another organization's counterparty id lists nothing, deep or not.
		page, err := f.repo.ListCustomers(f.ctx, f.other, f.cp.ID, wallet.CustomerFilter{}, wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: 1000, Limit: 10}, Ordering: wallet.DefaultOrdering})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		page, err = f.repo.ListCustomers(f.ctx, f.other, f.cp.ID, wallet.CustomerFilter{}, wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: 1300, Limit: 10}, Ordering: wallet.DefaultOrdering})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		page, err = f.repo.ListCustomers(f.ctx, f.other, f.cp.ID, wallet.CustomerFilter{}, wallet.ListRequest{PageRequest: wallet.PageRequest{Limit: 10}, Ordering: wallet.DefaultOrdering})
		require.NoError(t, err)
		require.Empty(t, page.Items)
	})
}

// tail0 is the offset of the last 10 rows of total (at least from).
func tail0(total int64, from int) int { return max(from, int(total)-10) }

// TestWalletListBucketPages: on PostgreSQL, an unfiltered page in
// created_at order deeper than 1,000 rows from both ends is read from the
// hour bucket it falls in (migration 00019); it must be the page the plain
// OFFSET order gives, in both directions and for a page size that does not
// divide the total, and the kept buckets must be a recount of the rows.
func TestWalletListBucketPages(t *testing.T) {
	t.Parallel()
	s := testdb.Postgres(t)
	f := setupWallet(t, s)
	// 3,001 customers over about five hours, three a timestamp (ties broken by id)
	require.NoError(t, s.DB.WithContext(f.ctx).Exec(`INSERT INTO wallet_customers (guid, organization_id, counterparty_id, asset_code, asset_issuer, created_at, updated_at)
SELECT gen_random_uuid(), ?, ?, 'ZMWT', ?, CAST(? AS timestamptz) + (i / 3) * interval '18 seconds', CAST(? AS timestamptz)
FROM generate_series(1, 3001) AS i`, f.org, f.cp.ID, issuerA, t0, t0).Error)
	f.walletCustomer(t, f.sibling, wallet.Customer{}) // other keys must not leak in
	f.walletCustomer(t, f.otherOrgCp, wallet.Customer{})

	type bucket struct {
		Key, Bucket string
		N           int64
	}
	var kept, recount []bucket
	require.NoError(t, s.DB.WithContext(f.ctx).Raw(`SELECT key, CAST(bucket AS text) AS bucket, sum(n) AS n FROM list_buckets
WHERE organization_id = ? AND list = 'wallet_customers' GROUP BY key, bucket HAVING sum(n) <> 0 ORDER BY key, bucket`, f.org).Scan(&kept).Error)
	require.NoError(t, s.DB.WithContext(f.ctx).Raw(`SELECT 'counterparty_id=' || counterparty_id AS key, CAST(date_bin('1 hour', created_at, '2000-01-01 00:00:00+00') AS text) AS bucket, count(*) AS n
FROM wallet_customers WHERE organization_id = ? GROUP BY 1, 2 ORDER BY 1, 2`, f.org).Scan(&recount).Error)
	require.Greater(t, len(recount), 5, "five hours or more of the counterparty, and its sibling's")
	require.Equal(t, recount, kept)

	var want []int64
	require.NoError(t, s.DB.WithContext(f.ctx).Table("wallet_customers").Where("counterparty_id = ?", f.cp.ID).Order("created_at, id").Pluck("id", &want).Error)
	n := len(want)
	require.Equal(t, 3001, n)
	for _, limit := range []int{100, 7} {
		for _, desc := range []bool{false, true} {
			w := slices.Clone(want)
			if desc {
				slices.Reverse(w)
			}
			for _, offset := range []int{1001, 1500, n / 2, 1999 - limit, 1999 - limit + 1, 2100} {
				page, err := f.repo.ListCustomers(f.ctx, f.org, f.cp.ID, wallet.CustomerFilter{},
					wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: offset, Limit: limit}, Ordering: wallet.Ordering{Field: wallet.SortCreatedAt, Desc: desc}})
				require.NoError(t, err)
				require.Equal(t, w[offset:min(offset+limit, n)], idsOf(page.Items, func(c wallet.Customer) int64 { return c.ID }), "limit=%d desc=%v offset=%d", limit, desc, offset)
				require.EqualValues(t, n, page.Total)
			}
		}
	}
	// another organization's counterparty id finds nothing, deep or not
	page, err := f.repo.ListCustomers(f.ctx, f.other, f.cp.ID, wallet.CustomerFilter{},
		wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: 1500, Limit: 10}, Ordering: wallet.DefaultOrdering})
	require.NoError(t, err)
	require.Empty(t, page.Items)

	// the deep page does come from the buckets: a first bucket counted 50
	// too many moves it by 50 rows
	res := s.DB.WithContext(f.ctx).Exec(`UPDATE list_buckets SET n = n + 50 WHERE (organization_id, list, key, bucket, slot) =
(SELECT organization_id, list, key, bucket, slot FROM list_buckets WHERE organization_id = ? AND list = 'wallet_customers' AND key = ? ORDER BY bucket LIMIT 1)`,
		f.org, "counterparty_id="+strconv.FormatInt(f.cp.ID, 10))
	require.NoError(t, res.Error)
	require.EqualValues(t, 1, res.RowsAffected)
	page, err = f.repo.ListCustomers(f.ctx, f.org, f.cp.ID, wallet.CustomerFilter{},
		wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: 1500, Limit: 10}, Ordering: wallet.DefaultOrdering})
	require.NoError(t, err)
	require.Equal(t, want[1450:1460], idsOf(page.Items, func(c wallet.Customer) int64 { return c.ID }))
}
