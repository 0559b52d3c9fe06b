package store

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/banking"
	"gorm.io/gorm"
)

// BankingRepo implements banking.Repository: the applications aggregate in
// banking_applications.go, the customers aggregate in banking_customers.go.
type BankingRepo struct{ s *Store }

// Banking returns the banking repository of s.
func (s *Store) Banking() *BankingRepo { return &BankingRepo{s: s} }

var _ banking.Repository = (*BankingRepo)(nil)

// WithTx implements txn.Transactor: the unit of work of the banking service
// (see Store.WithTx).
func (r *BankingRepo) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return r.s.WithTx(ctx, fn)
}

func (r *BankingRepo) db(ctx context.Context) *gorm.DB { return r.s.conn(ctx) }

// addressColumns are the address_* columns of the banking tables.
type addressColumns struct {
	Line1      string
	Line2      string
	City       string
	State      string
	PostalCode string
	Country    string
}

// addressUpdates are the address columns as an Updates map.
func addressUpdates(a banking.Address, set map[string]any) map[string]any {
	set["address_line1"], set["address_line2"], set["address_city"] = a.Line1, a.Line2, a.City
	set["address_state"], set["address_postal_code"], set["address_country"] = a.State, a.PostalCode, a.Country
	return set
}

// keyset orders q newest first (created_at, then id, both descending),
// keeps the rows strictly after the position, and limits the page.
func keyset(q *gorm.DB, table string, after *banking.Position, limit int) *gorm.DB {
	if after != nil {
		q = q.Where("("+table+".created_at, "+table+".id) < (?, ?)", after.CreatedAt, after.ID)
	}
	return q.Order(table + ".created_at DESC, " + table + ".id DESC").Limit(limit)
}

// dateValue stores a date as midnight UTC; the zero time is NULL.
func dateValue(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

// dateOf reads a date column back as midnight UTC (PostgreSQL and SQLite
// return it in different zones).
func dateOf(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	v := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
