package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// InvestingRepo implements investing.Repository.
type InvestingRepo struct{ s *Store }

// Investing returns the investing repository of s.
func (s *Store) Investing() *InvestingRepo { return &InvestingRepo{s: s} }

var _ investing.Repository = (*InvestingRepo)(nil)

// WithTx implements txn.Transactor: the unit of work of the investing service
// (see Store.WithTx).
func (r *InvestingRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

func (r *InvestingRepo) db(ctx context.Context) *gorm.DB { return r.s.conn(ctx) }

type customerRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganizationID int64
	FirstName      string
	LastName       string
	ReferenceID    *string
	Status         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (customerRow) TableName() string { return "customers" }

// customerColumns are customerRow's columns in its field order (Customer scans them).
const customerColumns = "id, organization_id, first_name, last_name, reference_id, status, created_at, updated_at"

var customerSelect = clause.Select{Expression: clause.Expr{SQL: customerColumns}}

// customerByIDSQL is Customer's unlocked read, as each database's driver
// takes its parameters (it goes to the connection as written).
var customerByIDSQL = dialectSQL("SELECT " + customerColumns + " FROM customers WHERE " + inOrgSQL("customers") + " AND id = ?")

func (c customerRow) domain() investing.Customer {
	return investing.Customer{
		ID: c.ID, OrganizationID: c.OrganizationID, FirstName: c.FirstName, LastName: c.LastName,
		ReferenceID: c.ReferenceID, Status: investing.Status(c.Status), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

func customerFromDomain(c *investing.Customer) customerRow {
	return customerRow{
		ID: c.ID, OrganizationID: c.OrganizationID, FirstName: c.FirstName, LastName: c.LastName,
		ReferenceID: c.ReferenceID, Status: string(c.Status), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func referenceConflict(err error, ref *string) error {
	if name, ok := uniqueViolation(err); ok && strings.Contains(name, "reference_id") && ref != nil {
		return errcode.New(errcode.Conflict, "referenceId %q is already used by another customer of this organization", *ref)
	}
	return err
}

// CreateCustomer implements investing.Repository.
func (r *InvestingRepo) CreateCustomer(ctx context.Context, c *investing.Customer) error {
	row := customerFromDomain(c)
	if err := r.db(ctx).Create(&row).Error; err != nil {
		return errcode.Wrapf(referenceConflict(err, c.ReferenceID), "create customer of organization %d", c.OrganizationID)
	}
	c.ID = row.ID
	return nil
}

// Customer implements investing.Repository.
//
// It is GET /v1/customers/{id}'s one statement, so it is scanned by hand
// (GORM's reflective scan was a quarter of GORM's cost on that request)
// and, unlocked, pre-written and sent on the GORM session's own
// connection (GORM's query building and callbacks cost about 45 of the
// request's 264 allocations); the locked read keeps GORM's builder for
// the dialect's lock clause. At most one row: id is the primary key.
func (r *InvestingRepo) Customer(ctx context.Context, orgID, id int64, lock bool) (investing.Customer, error) {
	var row customerRow
	var q interface{ Scan(...any) error }
	if lock {
		q = r.s.lock(r.db(ctx), lock).Model(&customerRow{}).Clauses(customerSelect).Scopes(inOrg(orgID)).Where("id = ?", id).Row()
	} else {
		// Straight to the session's connection (the transaction's, when ctx
		// carries one): GORM's statement build and callbacks were a tenth
		// of an unsigned GET's CPU, for a statement that is already written.
		q = r.s.pool(ctx).QueryRowContext(ctx, customerByIDSQL[r.s.Dialect], orgID, id)
	}
	err := q.Scan(&row.ID, &row.OrganizationID, &row.FirstName, &row.LastName, &row.ReferenceID, &row.Status, &row.CreatedAt, &row.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = gorm.ErrRecordNotFound
	}
	if err != nil {
		return investing.Customer{}, errcode.Wrapf(notFound(err, "customer %d not found", id), "read customer %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// SaveCustomer implements investing.Repository.
func (r *InvestingRepo) SaveCustomer(ctx context.Context, c *investing.Customer) error {
	err := r.db(ctx).Model(&customerRow{}).Scopes(inOrg(c.OrganizationID)).Where("id = ?", c.ID).
		Updates(map[string]any{
			"first_name": c.FirstName, "last_name": c.LastName, "reference_id": c.ReferenceID,
			"status": string(c.Status), "updated_at": c.UpdatedAt,
		}).Error
	return errcode.Wrapf(referenceConflict(err, c.ReferenceID), "save customer %d of organization %d", c.ID, c.OrganizationID)
}

// ListCustomers implements investing.Repository.
func (r *InvestingRepo) ListCustomers(ctx context.Context, orgID int64, f investing.CustomerFilter, p investing.PageRequest) (investing.Page[investing.Customer], error) {
	q := r.db(ctx).Model(&customerRow{}).Scopes(inOrg(orgID))
	if f.Status != nil {
		q = q.Where("customers.status = ?", string(*f.Status))
	}
	k := every(keyed("customers"), "status", f.Status, investing.Statuses, func(s investing.Status) string { return string(s) })
	if f.ReferenceID != nil {
		// unique in the organization: at most one row, counted in the index
		q, k = q.Where("customers.reference_id = ?", *f.ReferenceID), nil
	}
	page, err := listKept(q, r.s.Dialect, orgID, k, "customers", p, customerRow.domain)
	return page, errcode.Wrapf(err, "list customers of organization %d", orgID)
}

type accountRow struct {
	ID             int64 `gorm:"primaryKey"`
	OrganizationID int64
	CustomerID     int64
	InvestmentType string
	CurrencyCols   `gorm:"embedded"`
	Status         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (accountRow) TableName() string { return "accounts" }

func (a accountRow) domain() investing.Account {
	return investing.Account{
		ID: a.ID, OrganizationID: a.OrganizationID, CustomerID: a.CustomerID,
		InvestmentType: investing.InvestmentType(a.InvestmentType), Currency: a.CurrencyCols.domain(),
		Status: investing.Status(a.Status), CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
	}
}

// CreateAccounts implements investing.Repository with one multi-row insert.
func (r *InvestingRepo) CreateAccounts(ctx context.Context, as []*investing.Account) error {
	rows := make([]accountRow, len(as))
	for i, a := range as {
		rows[i] = accountRow{
			OrganizationID: a.OrganizationID, CustomerID: a.CustomerID, InvestmentType: string(a.InvestmentType),
			CurrencyCols: currencyOf(a.Currency), Status: string(a.Status), CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt,
		}
	}
	if err := r.db(ctx).Create(&rows).Error; err != nil {
		if name, ok := uniqueViolation(err); ok && strings.Contains(name, "investment_type") {
			return errcode.Wrapf(errcode.New(errcode.Conflict, "customer %d already has an %s account: there is one account per investment type per customer", as[0].CustomerID, as[0].InvestmentType),
				"create accounts of customer %d", as[0].CustomerID)
		}
		return errcode.Wrapf(err, "create accounts of customer %d", as[0].CustomerID)
	}
	for i := range rows {
		as[i].ID = rows[i].ID
	}
	return nil
}

// Account implements investing.Repository.
func (r *InvestingRepo) Account(ctx context.Context, orgID, id int64, lock bool) (investing.Account, error) {
	var row accountRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error
	if err != nil {
		return investing.Account{}, errcode.Wrapf(notFound(err, "account %d not found", id), "read account %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// SaveAccount implements investing.Repository.
func (r *InvestingRepo) SaveAccount(ctx context.Context, a *investing.Account) error {
	err := r.db(ctx).Model(&accountRow{}).Scopes(inOrg(a.OrganizationID)).Where("id = ?", a.ID).
		Updates(map[string]any{"status": string(a.Status), "currency": string(a.Currency.ISO()), "currency_spelling": currencyOf(a.Currency).CurrencySpelling, "updated_at": a.UpdatedAt}).Error
	return errcode.Wrapf(err, "save account %d of organization %d", a.ID, a.OrganizationID)
}

// ListAccounts implements investing.Repository.
func (r *InvestingRepo) ListAccounts(ctx context.Context, orgID int64, customerID *int64, p investing.PageRequest) (investing.Page[investing.Account], error) {
	q := r.db(ctx).Model(&accountRow{}).Scopes(inOrg(orgID))
	k := keyed("accounts")
	if customerID != nil {
		// at most one account per investment type: counted in
		// accounts_org_customer_id, no kept count (migration 00022)
		q, k = q.Where("accounts.customer_id = ?", *customerID), nil
	}
	page, err := listKept(q, r.s.Dialect, orgID, k, "accounts", p, accountRow.domain)
	return page, errcode.Wrapf(err, "list accounts of organization %d", orgID)
}

type portfolioRow struct {
	ID               int64 `gorm:"primaryKey"`
	OrganizationID   int64
	CustomerID       int64
	AccountID        *int64
	InvestmentType   *string
	CurrencyCols     `gorm:"embedded"`
	Status           string
	InvestmentAmount decimal.Decimal
	MarketValue      decimal.Decimal
	Performance      decimal.Decimal
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (portfolioRow) TableName() string { return "portfolios" }

// portfolioColumns are portfolioRow's columns in its field order (scanPortfolio scans them).
const portfolioColumns = "id, organization_id, customer_id, account_id, investment_type, currency, currency_spelling, status, " +
	"investment_amount, market_value, performance, created_at, updated_at"

// scanPortfolio scans one row of portfolioColumns.
func scanPortfolio(row interface{ Scan(...any) error }) (portfolioRow, error) {
	var p portfolioRow
	err := row.Scan(&p.ID, &p.OrganizationID, &p.CustomerID, &p.AccountID, &p.InvestmentType, &p.Currency, &p.CurrencySpelling, &p.Status,
		&p.InvestmentAmount, &p.MarketValue, &p.Performance, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

func (p portfolioRow) domain() investing.Portfolio {
	out := investing.Portfolio{
		ID: p.ID, OrganizationID: p.OrganizationID, CustomerID: p.CustomerID, AccountID: p.AccountID,
		Currency: p.CurrencyCols.domain(), Status: investing.Status(p.Status),
		InvestmentAmount: p.InvestmentAmount, MarketValue: p.MarketValue, Performance: p.Performance,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	if p.InvestmentType != nil {
		t := investing.InvestmentType(*p.InvestmentType)
		out.InvestmentType = &t
	}
	return out
}

// CreatePortfolios implements investing.Repository with one multi-row insert.
func (r *InvestingRepo) CreatePortfolios(ctx context.Context, ps []*investing.Portfolio) error {
	rows := make([]portfolioRow, len(ps))
	for i, p := range ps {
		rows[i] = portfolioRow{
			OrganizationID: p.OrganizationID, CustomerID: p.CustomerID, AccountID: p.AccountID,
			CurrencyCols: currencyOf(p.Currency), Status: string(p.Status),
			InvestmentAmount: p.InvestmentAmount, MarketValue: p.MarketValue, Performance: p.Performance,
			CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		}
		if p.InvestmentType != nil {
			t := string(*p.InvestmentType)
			rows[i].InvestmentType = &t
		}
	}
	if err := r.db(ctx).Create(&rows).Error; err != nil {
		return errcode.Wrapf(err, "create portfolios of customer %d", ps[0].CustomerID)
	}
	for i := range rows {
		ps[i].ID = rows[i].ID
	}
	return nil
}

// Portfolio implements investing.Repository.
func (r *InvestingRepo) Portfolio(ctx context.Context, orgID, id int64, lock bool) (investing.Portfolio, error) {
	var row portfolioRow
	err := r.s.lock(r.db(ctx), lock).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row).Error
	if err != nil {
		return investing.Portfolio{}, errcode.Wrapf(notFound(err, "portfolio %d not found", id), "read portfolio %d of organization %d", id, orgID)
	}
	return row.domain(), nil
}

// SavePortfolio implements investing.Repository.
func (r *InvestingRepo) SavePortfolio(ctx context.Context, p *investing.Portfolio) error {
	err := r.db(ctx).Model(&portfolioRow{}).Scopes(inOrg(p.OrganizationID)).Where("id = ?", p.ID).
		Updates(map[string]any{"status": string(p.Status), "currency": string(p.Currency.ISO()), "currency_spelling": currencyOf(p.Currency).CurrencySpelling, "updated_at": p.UpdatedAt}).Error
	return errcode.Wrapf(err, "save portfolio %d of organization %d", p.ID, p.OrganizationID)
}

// ListPortfolios implements investing.Repository.
func (r *InvestingRepo) ListPortfolios(ctx context.Context, orgID, customerID int64, p investing.PageRequest) (investing.Page[investing.Portfolio], error) {
	q := r.db(ctx).Model(&portfolioRow{}).Scopes(inOrg(orgID)).Where("portfolios.customer_id = ?", customerID)
	// the kept count of the portfolios without an account, plus one
	// portfolio at most per account of the customer (migration 00022)
	k := with(&countKey{list: "standalone_portfolios"}, "customer_id", &customerID, id64)
	k.plus = func(db *gorm.DB) (int64, error) {
		var n int64
		err := db.Table("accounts").Scopes(inOrg(orgID)).Where("accounts.customer_id = ?", customerID).
			Joins("JOIN portfolios ON portfolios.organization_id = accounts.organization_id AND portfolios.account_id = accounts.id").
			Count(&n).Error
		return n, err
	}
	page, err := listKept(q, r.s.Dialect, orgID, k, "portfolios", p, portfolioRow.domain)
	return page, errcode.Wrapf(err, "list portfolios of customer %d of organization %d", customerID, orgID)
}

// CascadeStatus implements investing.Repository: it reads the rows to
// change (locked on PostgreSQL), then updates them by id.
func (r *InvestingRepo) CascadeStatus(ctx context.Context, orgID, customerID int64, accountID *int64, status investing.Status, at time.Time) ([]investing.Account, []investing.Portfolio, error) {
	var (
		accounts   []accountRow
		portfolios []portfolioRow
	)
	aq := r.s.lock(r.db(ctx), true).Scopes(inOrg(orgID)).Where("customer_id = ? AND status <> ?", customerID, string(investing.Closed))
	pq := r.s.lock(r.db(ctx), true).Scopes(inOrg(orgID)).Where("customer_id = ? AND status <> ?", customerID, string(investing.Closed))
	fail := func(err error) ([]investing.Account, []investing.Portfolio, error) {
		return nil, nil, errcode.Wrapf(err, "set status %s on customer %d's accounts and portfolios in organization %d", status, customerID, orgID)
	}
	if accountID != nil {
		aq = aq.Where("id = ?", *accountID)
		pq = pq.Where("account_id = ?", *accountID)
	}
	if err := aq.Order("id").Find(&accounts).Error; err != nil {
		return fail(err)
	}
	if err := pq.Order("id").Find(&portfolios).Error; err != nil {
		return fail(err)
	}
	set := map[string]any{"status": string(status), "updated_at": at}
	outA := make([]investing.Account, len(accounts))
	ids := make([]int64, len(accounts))
	for i, a := range accounts {
		a.Status, a.UpdatedAt = string(status), at
		outA[i], ids[i] = a.domain(), a.ID
	}
	if len(ids) > 0 {
		if err := r.db(ctx).Model(&accountRow{}).Scopes(inOrg(orgID)).Where("id IN ?", ids).Updates(set).Error; err != nil {
			return fail(err)
		}
	}
	outP := make([]investing.Portfolio, len(portfolios))
	ids = make([]int64, len(portfolios))
	for i, p := range portfolios {
		p.Status, p.UpdatedAt = string(status), at
		outP[i], ids[i] = p.domain(), p.ID
	}
	if len(ids) > 0 {
		if err := r.db(ctx).Model(&portfolioRow{}).Scopes(inOrg(orgID)).Where("id IN ?", ids).Updates(set).Error; err != nil {
			return fail(err)
		}
	}
	return outA, outP, nil
}

type investmentTypeRow struct {
	ID          int64 `gorm:"primaryKey"`
	Name        string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (investmentTypeRow) TableName() string { return "investment_types" }

// Investments implements investing.Repository.
func (r *InvestingRepo) Investments(ctx context.Context) ([]investing.Investment, error) {
	var rows []investmentTypeRow
	if err := r.db(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, errcode.Wrapf(err, "list investment types")
	}
	out := make([]investing.Investment, len(rows))
	for i, row := range rows {
		out[i] = investing.Investment{ID: row.ID, Type: investing.InvestmentType(row.Name), Description: row.Description, CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	}
	return out, nil
}

// list reads one page of q's rows and the total, mapping rows with conv.
func list[R any, T any](q *gorm.DB, table string, p investing.PageRequest, conv func(R) T) (investing.Page[T], error) {
	q = q.Session(&gorm.Session{}) // safe to reuse for the page and the count
	var rows []R
	if err := pageQuery(q, table, p.Limit, p.Offset(), p.Desc).Find(&rows).Error; err != nil {
		return investing.Page[T]{}, err
	}
	n, err := total(q, len(rows), p.Limit, p.Offset())
	if err != nil {
		return investing.Page[T]{}, err
	}
	return investing.Page[T]{Items: mapRows(rows, conv), Total: n}, nil
}

// CurrencyCols are the two columns of a currency: the ISO 4217 code and,
// when the client wrote it otherwise (ZK for ZMW), that spelling.
type CurrencyCols struct {
	Currency         string
	CurrencySpelling *string
}

func currencyOf(c investing.Currency) CurrencyCols {
	out := CurrencyCols{Currency: string(c.ISO())}
	if c != c.ISO() {
		s := string(c)
		out.CurrencySpelling = &s
	}
	return out
}

func (c CurrencyCols) domain() investing.Currency {
	if c.CurrencySpelling != nil {
		return investing.Currency(*c.CurrencySpelling)
	}
	return investing.Currency(c.Currency)
}
