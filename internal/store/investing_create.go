package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
)

// CreateCustomerWithAccounts implements investing.CustomerCreator: on
// PostgreSQL the customer, its accounts and their portfolios are one
// statement (data-modifying CTEs, through GORM's Raw) instead of three
// round trips; on SQLite, which has no data-modifying CTE, the three
// GORM inserts. ps[i] is as[i]'s portfolio; every ID, and the rows'
// CustomerID and AccountID, are set.
func (r *InvestingRepo) CreateCustomerWithAccounts(ctx context.Context, c *investing.Customer, as []*investing.Account, ps []*investing.Portfolio) error {
	if r.s.Dialect != Postgres || len(as) == 0 || len(as) != len(ps) {
		return r.createCustomerWithAccountsApart(ctx, c, as, ps)
	}
	args := make([]any, 0, 7+8*len(as)+10*len(ps))
	args = append(args, c.OrganizationID, c.FirstName, c.LastName, c.ReferenceID, string(c.Status), c.CreatedAt, c.UpdatedAt)
	for i, a := range as {
		cur := currencyOf(a.Currency)
		args = append(args, a.OrganizationID, string(a.InvestmentType), cur.Currency, cur.CurrencySpelling, string(a.Status), a.CreatedAt, a.UpdatedAt, i)
	}
	for i, p := range ps {
		cur := currencyOf(p.Currency)
		args = append(args, p.OrganizationID, string(as[i].InvestmentType), cur.Currency, cur.CurrencySpelling, string(p.Status),
			p.InvestmentAmount, p.MarketValue, p.Performance, p.CreatedAt, p.UpdatedAt)
	}
	rows, err := r.db(ctx).Raw(customerWithAccountsSQL(len(as)), args...).Rows()
	if err != nil {
		return errcode.Wrapf(r.createConflict(err, c, as), "create customer of organization %d with %d accounts", c.OrganizationID, len(as))
	}
	defer rows.Close()
	byType := make(map[investing.InvestmentType]int, len(as))
	for i, a := range as {
		byType[a.InvestmentType] = i
	}
	n := 0
	for rows.Next() {
		var customerID, accountID, portfolioID int64
		var typ string
		if err := rows.Scan(&customerID, &accountID, &typ, &portfolioID); err != nil {
			return errcode.Wrapf(err, "read the ids of customer of organization %d", c.OrganizationID)
		}
		i, ok := byType[investing.InvestmentType(typ)]
		if !ok {
			return errcode.Wrapf(fmt.Errorf("an account of type %q was not asked for", typ), "create customer of organization %d", c.OrganizationID)
		}
		c.ID = customerID
		as[i].ID, as[i].CustomerID = accountID, customerID
		ps[i].ID, ps[i].CustomerID, ps[i].AccountID = portfolioID, customerID, &as[i].ID
		n++
	}
	if err := rows.Err(); err != nil {
		return errcode.Wrapf(r.createConflict(err, c, as), "create customer of organization %d with %d accounts", c.OrganizationID, len(as))
	}
	if n != len(as) {
		return errcode.Wrapf(fmt.Errorf("%d accounts with portfolios returned, %d asked for", n, len(as)), "create customer of organization %d", c.OrganizationID)
	}
	return nil
}

// createConflict is the Conflict a unique violation of the combined insert
// means: the referenceId, or two accounts of one investment type.
func (r *InvestingRepo) createConflict(err error, c *investing.Customer, as []*investing.Account) error {
	if name, ok := uniqueViolation(err); ok && strings.Contains(name, "investment_type") {
		return errcode.New(errcode.Conflict, "a customer has one account per investment type: %s is asked for twice", as[0].InvestmentType)
	}
	return referenceConflict(err, c.ReferenceID)
}

// createCustomerWithAccountsApart is the three inserts, one after another.
func (r *InvestingRepo) createCustomerWithAccountsApart(ctx context.Context, c *investing.Customer, as []*investing.Account, ps []*investing.Portfolio) error {
	if err := r.CreateCustomer(ctx, c); err != nil {
		return err
	}
	if len(as) == 0 {
		return nil
	}
	for _, a := range as {
		a.CustomerID = c.ID
	}
	if err := r.CreateAccounts(ctx, as); err != nil {
		return errcode.Wrapf(err, "create customer %d accounts", c.ID)
	}
	for i, p := range ps {
		p.CustomerID, p.AccountID = c.ID, &as[i].ID
	}
	return errcode.Wrapf(r.CreatePortfolios(ctx, ps), "create customer %d portfolios", c.ID)
}

// customerWithAccountsSQLs caches the statement per number of accounts.
var customerWithAccountsSQLs statements[int, string]

// customerWithAccountsSQL is the one statement of a customer with n
// accounts and their portfolios: c inserts the customer, a its accounts
// (in the order asked, v.ord), p one portfolio per account, of the
// account's investment type; it returns (customer id, account id, account
// investment type, portfolio id) per account.
func customerWithAccountsSQL(n int) string {
	return customerWithAccountsSQLs.get(n, func() string { return writeCustomerWithAccountsSQL(n) })
}

func writeCustomerWithAccountsSQL(n int) string {
	var b strings.Builder
	b.WriteString(`WITH c AS (
  INSERT INTO customers (organization_id, first_name, last_name, reference_id, status, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id
), a AS (
  INSERT INTO accounts (organization_id, customer_id, investment_type, currency, currency_spelling, status, created_at, updated_at)
  SELECT v.o, c.id, v.t, v.cur, v.sp, v.st, v.ca, v.ua FROM c, (VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(CAST(? AS bigint), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS timestamptz), CAST(? AS timestamptz), CAST(? AS int))")
	}
	b.WriteString(`) AS v(o, t, cur, sp, st, ca, ua, ord) ORDER BY v.ord
  RETURNING id, investment_type
), p AS (
  INSERT INTO portfolios (organization_id, customer_id, account_id, investment_type, currency, currency_spelling, status,
    investment_amount, market_value, performance, created_at, updated_at)
  SELECT w.o, c.id, a.id, a.investment_type, w.cur, w.sp, w.st, w.ia, w.mv, w.pf, w.ca, w.ua
  FROM c, a JOIN (VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(CAST(? AS bigint), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS numeric), CAST(? AS numeric), CAST(? AS numeric), CAST(? AS timestamptz), CAST(? AS timestamptz))")
	}
	b.WriteString(`) AS w(o, t, cur, sp, st, ia, mv, pf, ca, ua) ON w.t = a.investment_type ORDER BY a.id
  RETURNING id, account_id
)
SELECT c.id, a.id, a.investment_type, p.id FROM c, a JOIN p ON p.account_id = a.id`)
	return b.String()
}
