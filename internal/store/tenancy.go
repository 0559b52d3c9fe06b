package store

import (
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// inOrg scopes a statement to one organization: it adds
// organization_id = orgID, qualified by the statement's own table (the
// model's, or the alias of Table("… AS x")), so that the condition stays
// unambiguous in a join and a subquery.
//
// It is the one place where a repository statement is scoped by
// organization (TestOrganizationFilterInOnePlace fails on an
// "organization_id = ?" written anywhere else), and the cross-organization
// suite (tenancy_test.go) proves, for every repository method, that another
// organization's ids find nothing and change nothing. Use it as
//
//	r.db(ctx).Scopes(inOrg(orgID)).Where("id = ?", id).Take(&row)
//
// The methods that span organizations on purpose (the maintenance sweeps:
// purges, dormancy, overdue requests; the look-ups that find an
// organization from credentials) are the suite's global rows, each with
// its reason.
func inOrg(orgID int64) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		return q.Where(clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: "organization_id"}, Value: orgID})
	}
}

// inOrgSQL is inOrg's condition for hand-written SQL on the hot path
// (through GORM's Raw/Exec): "table.organization_id = ?", the organization
// id its argument. Like inOrg, the one place such a condition is written.
func inOrgSQL(table string) string { return table + ".organization_id = ?" }

// Statements caches statements written once per key (their number of
// rows, say) instead of once per call. The store's hand-written statements
// and the job queue's direct insert (internal/jobs) use it. A key is boxed
// for the lookup: an integer under 256 (or a string) costs no allocation.
type Statements[K comparable, V any] struct{ m sync.Map }

// Get is the statement of k, written by write the first time.
func (c *Statements[K, V]) Get(k K, write func() V) V {
	if v, ok := c.m.Load(k); ok {
		return v.(V)
	}
	v, _ := c.m.LoadOrStore(k, write())
	return v.(V)
}

// dialectSQL is a statement written with ? placeholders (none inside a
// literal) as each database's driver takes it when it goes to the
// connection without GORM: SQLite as written, PostgreSQL numbered ($1, $2, …).
func dialectSQL(q string) map[Dialect]string {
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c != '?' {
			b.WriteRune(c)
			continue
		}
		n++
		b.WriteString("$" + strconv.Itoa(n))
	}
	return map[Dialect]string{SQLite: q, Postgres: b.String()}
}
