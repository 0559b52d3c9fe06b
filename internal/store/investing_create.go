package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/webhook"
)

// CreateCustomerWithAccounts implements investing.CustomerCreator: on
// PostgreSQL the customer, its accounts and their portfolios are one
// statement (data-modifying CTEs, sent to the connection as written, its
// equal values one argument) instead of three round trips; on SQLite, which has no data-modifying CTE, the three
// GORM inserts. ps[i] is as[i]'s portfolio; every ID, and the rows'
// CustomerID and AccountID, are set.
func (r *InvestingRepo) CreateCustomerWithAccounts(ctx context.Context, c *investing.Customer, as []*investing.Account, ps []*investing.Portfolio) error {
	if r.s.Dialect != Postgres || len(as) == 0 || len(as) != len(ps) {
		return r.createCustomerWithAccountsApart(ctx, c, as, ps)
	}
	l := newArgList(7+17*len(as), 12)
	q := customerWithAccountsSQL(&l, c, as, ps)
	rows, err := r.s.pool(ctx).QueryContext(ctx, q, l.args...)
	if err != nil {
		return errcode.Wrapf(r.createConflict(err, c, as), "create customer of organization %d with %d accounts", c.OrganizationID, len(as))
	}
	defer rows.Close()
	byType := make(map[investing.InvestmentType]int, len(as))
	for i, a := range as {
		byType[a.InvestmentType] = i
	}
	n, hooked := 0, false
	for rows.Next() {
		var customerID, accountID, portfolioID int64
		var typ string
		if err := rows.Scan(&customerID, &accountID, &typ, &portfolioID, &hooked); err != nil {
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
	if !hooked {
		webhook.NoteNoneActive(ctx, c.OrganizationID) // its events need no statement
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

// customerWithAccountsSQLs caches the statement per pattern of arguments
// (argList.key: the number of accounts, and which values are equal).
var customerWithAccountsSQLs Statements[string, string]

// customerWithAccountsSQL is the one statement of a customer with its
// accounts and their portfolios, its arguments put in l: c inserts the
// customer, a its accounts (in the order asked, v.ord), p one portfolio per
// account, of the account's investment type; counts and buckets add the
// customer and its accounts to list_counts and list_buckets as the insert
// triggers would (the rows say counted, so that their triggers skip them:
// migration 00032); it returns (customer id, account id, account
// investment type, portfolio id, whether the organization has an active
// webhook) per account.
//
// Equal values share one argument (argList): a customer's accounts and
// portfolios usually repeat its organization, status, currency and
// timestamps, and each argument is a value pgx plans and encodes and
// PostgreSQL binds: 41 of them for two accounts, of which a POST
// /v1/customers has about a dozen distinct (the organization, the names,
// the reference, the status, the time, the two types, the currency, no
// spelling, zero).
func customerWithAccountsSQL(l *argList, c *investing.Customer, as []*investing.Account, ps []*investing.Portfolio) string {
	// The uses in the order the statement writes them (argList.uses keeps
	// it: writeCustomerWithAccountsSQL reads them back in the same order).
	l.bigint(c.OrganizationID)
	l.text(c.FirstName)
	l.text(c.LastName)
	l.optionalText(c.ReferenceID)
	l.text(string(c.Status))
	l.timestamptz(c.CreatedAt)
	l.timestamptz(c.UpdatedAt)
	for _, a := range as {
		cur := currencyOf(a.Currency)
		l.bigint(a.OrganizationID)
		l.text(string(a.InvestmentType))
		l.text(cur.Currency)
		l.optionalText(cur.CurrencySpelling)
		l.text(string(a.Status))
		l.timestamptz(a.CreatedAt)
		l.timestamptz(a.UpdatedAt)
	}
	for i, p := range ps {
		cur := currencyOf(p.Currency)
		l.bigint(p.OrganizationID)
		l.text(string(as[i].InvestmentType))
		l.text(cur.Currency)
		l.optionalText(cur.CurrencySpelling)
		l.text(string(p.Status))
		l.numeric(p.InvestmentAmount.String())
		l.numeric(p.MarketValue.String())
		l.numeric(p.Performance.String())
		l.timestamptz(p.CreatedAt)
		l.timestamptz(p.UpdatedAt)
	}
	return customerWithAccountsSQLs.Get(l.key(), func() string { return writeCustomerWithAccountsSQL(l, len(as)) })
}

// writeCustomerWithAccountsSQL writes the statement of n accounts, its
// placeholders the uses customerWithAccountsSQL put in l, in order.
func writeCustomerWithAccountsSQL(l *argList, n int) string {
	var b strings.Builder
	use := 0
	row := func(k int, extra string) {
		b.WriteByte('(')
		for j := range k {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(l.placeholderOfUse(use))
			use++
		}
		b.WriteString(extra)
		b.WriteByte(')')
	}
	b.WriteString(`WITH c AS (
  INSERT INTO customers (organization_id, first_name, last_name, reference_id, status, created_at, updated_at, counted)
  VALUES `)
	row(7, ", true")
	b.WriteString(` RETURNING id, organization_id, status, created_at
), a AS (
  INSERT INTO accounts (organization_id, customer_id, investment_type, currency, currency_spelling, status, created_at, updated_at, counted)
  SELECT v.o, c.id, v.t, v.cur, v.sp, v.st, v.ca, v.ua, true FROM c, (VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		row(7, ", "+strconv.Itoa(i))
	}
	b.WriteString(`) AS v(o, t, cur, sp, st, ca, ua, ord) ORDER BY v.ord
  RETURNING id, investment_type, organization_id, created_at
), p AS (
  INSERT INTO portfolios (organization_id, customer_id, account_id, investment_type, currency, currency_spelling, status,
    investment_amount, market_value, performance, created_at, updated_at)
  SELECT w.o, c.id, a.id, a.investment_type, w.cur, w.sp, w.st, w.ia, w.mv, w.pf, w.ca, w.ua
  FROM c, a JOIN (VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		row(10, "")
	}
	b.WriteString(`) AS w(o, t, cur, sp, st, ia, mv, pf, ca, ua) ON w.t = a.investment_type ORDER BY a.id
  RETURNING id, account_id
), g AS (
  SELECT organization_id AS o, 'customers' AS l, 'status=' || status AS k, ` + hourBucketSQL("created_at") + ` AS t FROM c
  UNION ALL SELECT organization_id, 'accounts', '', ` + hourBucketSQL("created_at") + ` FROM a
), ` + selfCountCTEs(
		`SELECT o, l, k, `+countSlotSQL+`, count(*) FROM g GROUP BY o, l, k ORDER BY o, l, k`,
		`SELECT o, l, k, t, `+countSlotSQL+`, count(*) FROM g GROUP BY o, l, k, t ORDER BY o, l, k, t`) + `
SELECT c.id, a.id, a.investment_type, p.id,
  EXISTS (SELECT FROM webhooks WHERE webhooks.organization_id = `)
	b.WriteString(l.placeholderOfUse(0)) // the customer's organization
	b.WriteString(` AND webhooks.status = '` + string(webhook.Active) + `')
FROM c, a JOIN p ON p.account_id = a.id`)
	return b.String()
}
