package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/wallet"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

type walletCustomerRow struct {
	ID                 int64     `gorm:"primaryKey"`
	GUID               uuid.UUID `gorm:"column:guid"`
	OrganizationID     int64
	CounterpartyID     int64
	Login              *string
	Name               *string
	Surname            *string
	PaternalName       *string
	PhoneNumber        *string
	Segment            *string
	Status             *string
	KYCLevel           int `gorm:"column:kyc_level"`
	IsDisabled         bool
	BranchGUID         *uuid.UUID `gorm:"column:branch_guid"`
	BalanceAllowed     decimal.Decimal
	BalanceAssetCode   *string
	BalanceAssetIssuer *string
	AssetCode          string
	AssetIssuer        string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (walletCustomerRow) TableName() string { return "wallet_customers" }

func (c walletCustomerRow) domain() wallet.Customer {
	out := wallet.Customer{
		ID: c.ID, GUID: c.GUID, OrganizationID: c.OrganizationID, CounterpartyID: c.CounterpartyID,
		Login: c.Login, Name: c.Name, Surname: c.Surname, PaternalName: c.PaternalName, PhoneNumber: c.PhoneNumber,
		Status: c.Status, KYCLevel: c.KYCLevel, IsDisabled: c.IsDisabled, BranchGUID: c.BranchGUID,
		BalanceAllowed: c.BalanceAllowed, BalanceAssetCode: c.BalanceAssetCode, BalanceAssetIssuer: c.BalanceAssetIssuer,
		AssetCode: c.AssetCode, AssetIssuer: c.AssetIssuer, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	if c.Segment != nil {
		s := wallet.Segment(*c.Segment)
		out.Segment = &s
	}
	return out
}

func walletCustomerFromDomain(c *wallet.Customer) walletCustomerRow {
	row := walletCustomerRow{
		ID: c.ID, GUID: c.GUID, OrganizationID: c.OrganizationID, CounterpartyID: c.CounterpartyID,
		Login: c.Login, Name: c.Name, Surname: c.Surname, PaternalName: c.PaternalName, PhoneNumber: c.PhoneNumber,
		Status: c.Status, KYCLevel: c.KYCLevel, IsDisabled: c.IsDisabled, BranchGUID: c.BranchGUID,
		BalanceAllowed: c.BalanceAllowed, BalanceAssetCode: c.BalanceAssetCode, BalanceAssetIssuer: c.BalanceAssetIssuer,
		AssetCode: c.AssetCode, AssetIssuer: c.AssetIssuer, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	if c.Segment != nil {
		s := string(*c.Segment)
		row.Segment = &s
	}
	return row
}

// CreateCustomer implements wallet.Repository.
func (r *WalletRepo) CreateCustomer(ctx context.Context, c *wallet.Customer) error {
	row := walletCustomerFromDomain(c)
	if err := r.db(ctx).Create(&row).Error; err != nil {
		if name, ok := uniqueViolation(err); ok && strings.Contains(name, "login") && c.Login != nil {
			err = errcode.New(errcode.Conflict, "a customer with login %q already exists in this counterparty", *c.Login).WithReason(wallet.ReasonCustomerAlreadyExists)
		}
		return errcode.Wrapf(err, "create a wallet customer of counterparty %d of organization %d", c.CounterpartyID, c.OrganizationID)
	}
	c.ID = row.ID
	return nil
}

// Customer implements wallet.Repository.
func (r *WalletRepo) Customer(ctx context.Context, orgID, counterpartyID int64, guid uuid.UUID, lock bool) (wallet.Customer, error) {
	var row walletCustomerRow
	// by its guid (byGUID): with "counterparty_id = ? AND guid = ?" the
	// generic plan took the counterparty's index and read all its customers
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).
		Where("counterparty_id = ? AND "+byGUID("wallet_customers"), counterpartyID, guid.String()).Take(&row).Error
	if err != nil {
		return wallet.Customer{}, errcode.Wrapf(withReason(notFound(err, "customer %s not found in this counterparty", guid), wallet.ReasonCustomerNotFound),
			"read wallet customer %s of counterparty %d of organization %d", guid, counterpartyID, orgID)
	}
	return row.domain(), nil
}

// SaveCustomer implements wallet.Repository.
func (r *WalletRepo) SaveCustomer(ctx context.Context, c *wallet.Customer) error {
	row := walletCustomerFromDomain(c)
	err := r.db(ctx).Model(&walletCustomerRow{}).
		Scopes(inOrg(c.OrganizationID)).Where("counterparty_id = ? AND id = ?", c.CounterpartyID, c.ID).
		Updates(map[string]any{
			"name": row.Name, "surname": row.Surname, "paternal_name": row.PaternalName, "phone_number": row.PhoneNumber,
			"segment": row.Segment, "status": row.Status, "kyc_level": row.KYCLevel, "is_disabled": row.IsDisabled,
			"branch_guid": row.BranchGUID, "balance_allowed": row.BalanceAllowed,
			"balance_asset_code": row.BalanceAssetCode, "balance_asset_issuer": row.BalanceAssetIssuer,
			"updated_at": row.UpdatedAt,
		}).Error
	return errcode.Wrapf(err, "save wallet customer %s of counterparty %d of organization %d", c.GUID, c.CounterpartyID, c.OrganizationID)
}

// searchExpr is what search_string looks into. PostgreSQL has a trigram
// index on exactly this expression (db/migrations/postgres/00003_wallet.sql).
const searchExpr = "(COALESCE(wallet_customers.name, '') || ' ' || COALESCE(wallet_customers.surname, '') || ' ' || COALESCE(wallet_customers.login, ''))"

// balanceExpr is balance_allowed as a number: the column itself in
// PostgreSQL; in SQLite, where money is TEXT, its REAL value.
func (r *WalletRepo) balanceExpr() string {
	if r.s.Dialect == SQLite {
		return "CAST(wallet_customers.balance_allowed AS REAL)"
	}
	return "wallet_customers.balance_allowed"
}

// orderColumn is the column of a sort field, qualified by table.
func (r *WalletRepo) orderColumn(f wallet.SortField) string {
	if f == wallet.SortBalanceAllowed {
		return r.balanceExpr()
	}
	return "wallet_customers." + string(f)
}

// ListCustomers implements wallet.Repository. Each filter is one indexed
// condition (see the migration); the page is ordered by the field, ties by
// id, NULLs last ascending and first descending (an index scan either way).
func (r *WalletRepo) ListCustomers(ctx context.Context, orgID, counterpartyID int64, f wallet.CustomerFilter, lr wallet.ListRequest) (wallet.Page[wallet.Customer], error) {
	page, err := r.listCustomers(ctx, orgID, counterpartyID, f, lr)
	return page, errcode.Wrapf(err, "list the wallet customers of counterparty %d of organization %d", counterpartyID, orgID)
}

func (r *WalletRepo) listCustomers(ctx context.Context, orgID, counterpartyID int64, f wallet.CustomerFilter, lr wallet.ListRequest) (wallet.Page[wallet.Customer], error) {
	// Scoped by organization through the counterparty, in a condition
	// evaluated once: the customer indexes (which lead with the
	// counterparty) then answer the count and the deferred join below
	// without reading the table.
	counterparty := r.db(ctx).Model(&walletCounterpartyRow{}).Select("wallet_counterparties.id").
		Scopes(inOrg(orgID)).Where("wallet_counterparties.id = ?", counterpartyID)
	q := r.db(ctx).Model(&walletCustomerRow{}).Where("wallet_customers.counterparty_id = (?)", counterparty)
	in := func(col string, vals []string) {
		if len(vals) > 0 {
			q = q.Where("wallet_customers."+col+" IN ?", vals)
		}
	}
	in("guid", guidStrings(f.GUIDs))
	in("login", f.Logins)
	in("balance_asset_code", f.BalanceAssetCodes)
	in("balance_asset_issuer", f.BalanceAssetIssuers)
	in("branch_guid", guidStrings(f.BranchGUIDs))
	in("name", f.Names)
	in("paternal_name", f.PaternalNames)
	in("phone_number", f.PhoneNumbers)
	in("status", f.Statuses)
	in("surname", f.Surnames)
	if len(f.Segments) > 0 {
		in("segment", mapRows(f.Segments, func(s wallet.Segment) string { return string(s) }))
	}
	if len(f.KYCLevels) > 0 {
		q = q.Where("wallet_customers.kyc_level IN ?", f.KYCLevels)
	}
	if f.IsDisabled != nil {
		q = q.Where("wallet_customers.is_disabled = ?", *f.IsDisabled)
	}
	bal := r.balanceExpr()
	if f.MinBalanceAllowed != nil {
		q = q.Where(bal+" >= "+r.numberParam(), f.MinBalanceAllowed.String())
	}
	if f.MaxBalanceAllowed != nil {
		q = q.Where(bal+" <= "+r.numberParam(), f.MaxBalanceAllowed.String())
	}
	for _, c := range []struct {
		cond string
		at   *time.Time
	}{
		{"wallet_customers.created_at >= ?", f.MinCreatedAt},
		{"wallet_customers.created_at <= ?", f.MaxCreatedAt},
		{"wallet_customers.updated_at >= ?", f.MinUpdatedAt},
		{"wallet_customers.updated_at <= ?", f.MaxUpdatedAt},
	} {
		if c.at != nil {
			q = q.Where(c.cond, c.at.UTC()) // SQLite compares the stored UTC text
		}
	}
	if s, ok := wallet.ParseSearch(f.Search); ok {
		cond, args, err := r.searchCondition(ctx, orgID, counterpartyID, s)
		if err != nil {
			return wallet.Page[wallet.Customer]{}, err
		}
		q = q.Where(cond, args...)
	}

	q = q.Session(&gorm.Session{}) // reused for the page and the count
	readFrom := func(q *gorm.DB, desc bool, offset, limit int) ([]walletCustomerRow, error) {
		dir, nulls := "ASC", "NULLS LAST"
		if desc {
			dir, nulls = "DESC", "NULLS FIRST"
		}
		order := r.orderColumn(lr.Ordering.Field) + " " + dir + " " + nulls + ", wallet_customers.id " + dir
		page := q.Order(order).Limit(limit).Offset(offset)
		if offset >= deferredJoinOffset {
			// Skip the offset in the index (ids only), then read the page's rows.
			page = r.db(ctx).Model(&walletCustomerRow{}).
				Where("wallet_customers.id IN (?)", page.Select("wallet_customers.id")).Order(order)
		}
		var rows []walletCustomerRow
		err := page.Find(&rows).Error
		return rows, err
	}
	read := func(desc bool, offset, limit int) ([]walletCustomerRow, error) {
		return readFrom(q, desc, offset, limit)
	}
	if unfiltered(f) && lr.Offset > deferredJoinOffset {
		// The kept total tells where the end is: a page in the second
		// half is read from the other end (the reverse order, NULLs
		// included), skipping fewer rows.
		n, err := r.customersTotal(ctx, orgID, counterpartyID, lr.Limit, wallet.ListRequest{PageRequest: wallet.PageRequest{Offset: lr.Offset, Limit: lr.Limit}})
		if err != nil {
			return wallet.Page[wallet.Customer]{}, err
		}
		if page, ok, err := r.bucketPage(ctx, q, readFrom, orgID, counterpartyID, n, lr); ok || err != nil {
			return page, err
		}
		if off := int64(lr.Offset); off > n/2 && off < n {
			end := min(off+int64(lr.Limit), n)
			rows, err := read(!lr.Ordering.Desc, int(n-end), int(end-off))
			slices.Reverse(rows)
			return wallet.Page[wallet.Customer]{Items: mapRows(rows, walletCustomerRow.domain), Total: n}, err
		}
	}
	rows, err := read(lr.Ordering.Desc, lr.Offset, lr.Limit)
	if err != nil {
		return wallet.Page[wallet.Customer]{}, err
	}
	var n int64
	if unfiltered(f) {
		n, err = r.customersTotal(ctx, orgID, counterpartyID, len(rows), lr)
	} else {
		n, err = total(q, len(rows), lr.Limit, lr.Offset)
	}
	return wallet.Page[wallet.Customer]{Items: mapRows(rows, walletCustomerRow.domain), Total: n}, err
}

// bucketPage reads an unfiltered page in created_at order (either
// direction) that lies deeper than deferredJoinOffset rows from both ends
// of the n customers: its ascending window starts in an hour of created_at
// that list_buckets (migration 00019, PostgreSQL) locates, and only the
// rows of that hour before the window are skipped. ok is false when the
// page is not such a page (or there are no buckets): the caller reads it
// otherwise.
func (r *WalletRepo) bucketPage(ctx context.Context, q *gorm.DB, read func(q *gorm.DB, desc bool, offset, limit int) ([]walletCustomerRow, error),
	orgID, counterpartyID, n int64, lr wallet.ListRequest) (wallet.Page[wallet.Customer], bool, error) {
	off := int64(lr.Offset)
	if r.s.Dialect != Postgres || lr.Ordering.Field != wallet.SortCreatedAt || off >= n {
		return wallet.Page[wallet.Customer]{}, false, nil
	}
	a, e := off, min(off+int64(lr.Limit), n) // the window of the ascending order
	if lr.Ordering.Desc {
		a, e = max(0, n-off-int64(lr.Limit)), n-off
	}
	if a < deferredJoinOffset || n-e < deferredJoinOffset {
		return wallet.Page[wallet.Customer]{}, false, nil
	}
	k := &countKey{list: "wallet_customers", dims: [][]string{{"counterparty_id=" + id64(counterpartyID)}}, bucketed: true}
	start, before, ok, err := bucketOf(r.db(ctx), orgID, k, a)
	if err != nil || !ok {
		return wallet.Page[wallet.Customer]{}, false, err
	}
	rows, err := read(q.Where("wallet_customers.created_at >= ?", start), false, int(a-before), int(e-a))
	if err != nil {
		return wallet.Page[wallet.Customer]{}, false, err
	}
	if lr.Ordering.Desc {
		slices.Reverse(rows)
	}
	return wallet.Page[wallet.Customer]{Items: mapRows(rows, walletCustomerRow.domain), Total: n}, true, nil
}

// unfiltered reports whether f has no condition at all. A list filter
// that is empty but not nil (the HTTP layer passes the query's absent
// arrays so) is no condition either: each field is tested the way
// ListCustomers applies it.
func unfiltered(f wallet.CustomerFilter) bool {
	_, search := wallet.ParseSearch(f.Search)
	return !search &&
		len(f.GUIDs) == 0 && len(f.Logins) == 0 && len(f.KYCLevels) == 0 && f.IsDisabled == nil &&
		f.MinBalanceAllowed == nil && f.MaxBalanceAllowed == nil &&
		len(f.BalanceAssetCodes) == 0 && len(f.BalanceAssetIssuers) == 0 && len(f.BranchGUIDs) == 0 &&
		len(f.Names) == 0 && len(f.PaternalNames) == 0 && len(f.PhoneNumbers) == 0 &&
		len(f.Segments) == 0 && len(f.Statuses) == 0 && len(f.Surnames) == 0 &&
		f.MinCreatedAt == nil && f.MaxCreatedAt == nil && f.MinUpdatedAt == nil && f.MaxUpdatedAt == nil
}

// customersTotal is the number of the counterparty's customers: the page
// tells when it is neither full nor past the end; otherwise the counter a
// trigger keeps on the counterparty row does, without counting.
func (r *WalletRepo) customersTotal(ctx context.Context, orgID, counterpartyID int64, items int, lr wallet.ListRequest) (int64, error) {
	if items < lr.Limit && (items > 0 || lr.Offset == 0) {
		return int64(lr.Offset + items), nil
	}
	var n int64
	err := r.db(ctx).Model(&walletCounterpartyRow{}).Scopes(inOrg(orgID)).Where("id = ?", counterpartyID).
		Pluck("customers_total", &n).Error
	return n, err
}

// deferredJoinOffset is the offset from which a page is read as ids first:
// skipping rows in an index-only scan costs a fraction of skipping them in
// the table.
const deferredJoinOffset = 1000

// numberParam is a query parameter that is a decimal number (sent as text).
func (r *WalletRepo) numberParam() string {
	if r.s.Dialect == SQLite {
		return "CAST(? AS REAL)"
	}
	return "CAST(? AS numeric)"
}

// searchCondition matches a substring of name, surname or login, or exactly
// a customer guid, or the customers of the wallet accounts whose guid or
// IBAN the search is. The accounts are looked up first (two unique-index
// hits) so that every branch of the OR is an index condition.
func (r *WalletRepo) searchCondition(ctx context.Context, orgID, counterpartyID int64, s wallet.Search) (string, []any, error) {
	like := "LIKE ? ESCAPE '\\'" // SQLite's LIKE ignores ASCII case
	if r.s.Dialect == Postgres {
		like = "ILIKE ? ESCAPE '\\'"
	}
	conds := []string{searchExpr + " " + like}
	args := []any{"%" + escapeLike(s.Text) + "%"}
	if s.GUID != nil || s.IBAN != "" {
		var ids []int64
		aq := r.db(ctx).Model(&walletAccountRow{}).Scopes(inOrg(orgID)).Where("counterparty_id = ?", counterpartyID)
		switch {
		case s.GUID != nil && s.IBAN != "":
			aq = aq.Where("guid = ? OR iban = ?", s.GUID.String(), s.IBAN)
		case s.GUID != nil:
			aq = aq.Where("guid = ?", s.GUID.String())
		default:
			aq = aq.Where("iban = ?", s.IBAN)
		}
		if err := aq.Distinct().Pluck("customer_id", &ids).Error; err != nil {
			return "", nil, err
		}
		if len(ids) > 0 {
			conds = append(conds, "wallet_customers.id IN ?")
			args = append(args, ids)
		}
	}
	if s.GUID != nil {
		conds = append(conds, "wallet_customers.guid = ?")
		args = append(args, s.GUID.String())
	}
	return "(" + strings.Join(conds, " OR ") + ")", args, nil
}

// escapeLike escapes LIKE's wildcards so that the text matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func guidStrings(ids []uuid.UUID) []string {
	return mapRows(ids, uuid.UUID.String)
}
