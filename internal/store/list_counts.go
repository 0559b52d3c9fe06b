package store

import (
	"slices"
	"strconv"
	"strings"

	"github.com/openvest/openvest/internal/investing"
	"gorm.io/gorm"
)

// countKey names a maintained list total (migration 00014, PostgreSQL):
// the list (its table) and the filter's conditions, "column=value" in the
// column order the list's trigger uses, joined by "&"; no condition is the
// whole list.
type countKey struct {
	list  string
	parts []string
}

// keyed starts the count key of list.
func keyed(list string) *countKey { return &countKey{list: list} }

// with adds the condition column=value when value is set (the columns in
// the order of the list's trigger).
func with[T any](k *countKey, column string, value *T, format func(T) string) *countKey {
	if value != nil {
		k.parts = append(k.parts, column+"="+format(*value))
	}
	return k
}

func id64(v int64) string { return strconv.FormatInt(v, 10) }

func (k *countKey) key() string { return strings.Join(k.parts, "&") }

// keptTotal reads the maintained total of k for the organization: the sum
// of its slots, one primary-key range.
func keptTotal(q *gorm.DB, orgID int64, k *countKey) (int64, error) {
	var n int64
	err := q.Session(&gorm.Session{NewDB: true}).
		Raw(`SELECT coalesce(sum(n), 0) FROM list_counts WHERE organization_id = ? AND list = ? AND key = ?`, orgID, k.list, k.key()).
		Scan(&n).Error
	return n, err
}

// listKept is list with a maintained total on PostgreSQL: the total is
// read from list_counts (never counted), and, knowing it, a page in the
// second half of the list is read from the other end (page N of 50,000
// ascending is page 49,999-N descending), and a page past
// deferredJoinOffset rows from its end skips them in an index-only scan of
// ids before reading its rows. On SQLite (no counters) and without a key,
// it is list.
func listKept[R any, T any](q *gorm.DB, dialect Dialect, orgID int64, k *countKey, table string, p investing.PageRequest, conv func(R) T) (investing.Page[T], error) {
	if dialect != Postgres || k == nil {
		return list(q, table, p, conv)
	}
	q = q.Session(&gorm.Session{})
	n, err := keptTotal(q, orgID, k)
	if err != nil {
		return investing.Page[T]{}, err
	}
	offset, limit, desc := int64(p.Offset()), int64(p.Limit), p.Desc
	if offset >= n {
		return investing.Page[T]{Items: []T{}, Total: n}, nil
	}
	reverse := offset > n/2
	if reverse {
		end := min(offset+limit, n)
		offset, limit, desc = max(0, n-end), end-offset, !desc
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	order := table + ".created_at " + dir + ", " + table + ".id " + dir
	page := q.Order(order).Limit(int(limit)).Offset(int(offset))
	if offset >= deferredJoinOffset {
		page = q.Session(&gorm.Session{NewDB: true}).Model(new(R)).
			Where(table+".id IN (?)", page.Select(table+".id")).Order(order)
	}
	var rows []R
	if err := page.Find(&rows).Error; err != nil {
		return investing.Page[T]{}, err
	}
	if reverse {
		slices.Reverse(rows)
	}
	return investing.Page[T]{Items: mapRows(rows, conv), Total: n}, nil
}
