package store

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/investing"
	"gorm.io/gorm"
)

// countKey names a maintained list total (migrations 00014, 00022 and
// 00026, PostgreSQL): the list (its table) and the filter's conditions,
// "column=value" in the column order the list's trigger uses, joined by
// "&"; no condition is the whole list. A list may keep only its finest
// keys (requests, 00026: a filter leaving out a kept column is the sum of
// the keys over every value of that column): each of dims is the
// alternatives of one column, and the total is the sum over their product.
// bucketed: the key also has hourly counts (list_buckets), as the
// organization-wide keys do (not those of one customer, account, portfolio
// or request: their lists are short). plus, when set, counts the rows of
// the list the kept count leaves out (a bounded index range): a customer's
// portfolios are the kept count of those without an account plus those of
// its accounts.
type countKey struct {
	list     string
	dims     [][]string
	bucketed bool
	plus     func(db *gorm.DB) (int64, error)
}

// keyed starts the count key of list.
func keyed(list string) *countKey { return &countKey{list: list, bucketed: true} }

// with adds the condition column=value when value is set (the columns in
// the order of the list's trigger).
func with[T any](k *countKey, column string, value *T, format func(T) string) *countKey {
	if value != nil {
		k.dims = append(k.dims, []string{column + "=" + format(*value)})
		k.bucketed = k.bucketed && !strings.HasSuffix(column, "_id")
	}
	return k
}

// every is with for a column the list always keeps: unset, the condition
// is each of all (the column's every value, which its CHECK closes).
func every[T any](k *countKey, column string, value *T, all []T, format func(T) string) *countKey {
	if value != nil {
		return with(k, column, value, format)
	}
	alts := make([]string, len(all))
	for i, v := range all {
		alts[i] = column + "=" + format(v)
	}
	k.dims = append(k.dims, alts)
	return k
}

func id64(v int64) string { return strconv.FormatInt(v, 10) }

// keys is every key whose counts make up k's total.
func (k *countKey) keys() []string {
	keys := []string{""}
	for _, alts := range k.dims {
		next := make([]string, 0, len(keys)*len(alts))
		for _, prefix := range keys {
			for _, a := range alts {
				if prefix != "" {
					a = prefix + "&" + a
				}
				next = append(next, a)
			}
		}
		keys = next
	}
	return keys
}

// keyRows is a FROM item with one row per key of k: the key's rows of
// table (list_counts or list_buckets) of the organization, aggregated by
// cols ("sum(n) AS n" and what it groups by). With one key it is a plain
// primary-key range; with several, each key is its own range (a LATERAL
// subquery per key of a VALUES list): as "key IN (…)", or as a join with
// the VALUES list, the prepared statement's generic plan, estimated by
// the average organization, read a large organization's whole list and
// filtered it (TestHotPathPlans).
func (k *countKey) keyRows(table string, orgID int64, cols, group string) (string, []any) {
	keys := k.keys()
	where := inOrgSQL(table) + " AND " + table + ".list = ? AND " + table + ".key = "
	if group != "" {
		group = " GROUP BY " + group
	}
	if len(keys) == 1 {
		return "(SELECT " + cols + " FROM " + table + " WHERE " + where + "?" + group + ") s", []any{orgID, k.list, keys[0]}
	}
	args := make([]any, 0, len(keys)+2)
	for _, key := range keys {
		args = append(args, key)
	}
	return "(VALUES (?)" + strings.Repeat(", (?)", len(keys)-1) + ") AS k(key) CROSS JOIN LATERAL (SELECT " + cols +
		" FROM " + table + " WHERE " + where + "k.key" + group + ") s", append(args, orgID, k.list)
}

// keptTotal reads the maintained total of k for the organization: the sum
// of its keys' slots, one primary-key range per key (and what k.plus
// counts).
func keptTotal(q *gorm.DB, orgID int64, k *countKey) (int64, error) {
	var n int64
	db := q.Session(&gorm.Session{NewDB: true})
	from, args := k.keyRows("list_counts", orgID, "sum(n) AS n", "")
	err := db.Raw("SELECT coalesce(sum(s.n), 0) FROM "+from, args...).Scan(&n).Error
	if err != nil || k.plus == nil {
		return n, err
	}
	m, err := k.plus(db)
	return n + m, err
}

// bucketOf finds the hour of created_at in which the row at ascending
// position pos (from 0) is, and the number of rows before that hour; ok is
// false when the buckets do not reach pos.
func bucketOf(q *gorm.DB, orgID int64, k *countKey, pos int64) (start time.Time, before int64, ok bool, err error) {
	var rows []struct {
		Bucket time.Time
		Before int64
	}
	db := q.Session(&gorm.Session{NewDB: true})
	from, args := k.keyRows("list_buckets", orgID, "bucket, sum(n) AS n", "bucket")
	err = db.Raw(`
SELECT bucket, before FROM (
  SELECT bucket, sum(cnt) OVER (ORDER BY bucket) - cnt AS before, cnt
  FROM (SELECT s.bucket, sum(s.n) AS cnt FROM `+from+` GROUP BY s.bucket) g
) x WHERE before + cnt > ? ORDER BY bucket LIMIT 1`, append(args, pos)...).Scan(&rows).Error
	if err != nil || len(rows) == 0 || rows[0].Before > pos {
		return time.Time{}, 0, false, err
	}
	return rows[0].Bucket, rows[0].Before, true, nil
}

// listKept is list with a maintained total on PostgreSQL: the total is
// read from list_counts (never counted), and, knowing it, the page is read
// as the window [a, e) of the ascending order, from whichever end is
// nearer; a window deeper than deferredJoinOffset from both ends starts at
// the hour of created_at it falls in (list_buckets), or, without buckets,
// skips its rows in an index-only scan of ids before reading the page. On
// SQLite (no counters) and without a key, it is list.
func listKept[R any, T any](q *gorm.DB, dialect Dialect, orgID int64, k *countKey, table string, p investing.PageRequest, conv func(R) T) (investing.Page[T], error) {
	if dialect != Postgres || k == nil {
		return list(q, table, p, conv)
	}
	q = q.Session(&gorm.Session{})
	n, err := keptTotal(q, orgID, k)
	if err != nil {
		return investing.Page[T]{}, err
	}
	offset, limit := int64(p.Offset()), int64(p.Limit)
	if offset >= n {
		return investing.Page[T]{Items: []T{}, Total: n}, nil
	}
	a, e := offset, min(offset+limit, n)
	if p.Desc {
		a, e = max(0, n-offset-limit), n-offset
	}
	order := func(desc bool) string {
		dir := "ASC"
		if desc {
			dir = "DESC"
		}
		return table + ".created_at " + dir + ", " + table + ".id " + dir
	}
	read := func(q *gorm.DB, desc bool, skip int64) ([]R, error) {
		page := q.Order(order(desc)).Limit(int(e - a)).Offset(int(skip))
		if skip >= deferredJoinOffset {
			// skip in the index (ids only), then read the page's rows
			page = q.Session(&gorm.Session{NewDB: true}).Model(new(R)).
				Where(table+".id IN (?)", page.Select(table+".id")).Order(order(desc))
		}
		var rows []R
		err := page.Find(&rows).Error
		return rows, err
	}
	var rows []R
	switch {
	case a <= n-e && (a < deferredJoinOffset || !k.bucketed):
		rows, err = read(q, false, a)
	case n-e < a && (n-e < deferredJoinOffset || !k.bucketed):
		if rows, err = read(q, true, n-e); err == nil {
			slices.Reverse(rows)
		}
	default:
		start, before, ok, berr := bucketOf(q, orgID, k, a)
		switch {
		case berr != nil:
			err = berr
		case ok:
			rows, err = read(q.Where(table+".created_at >= ?", start), false, a-before)
		default:
			rows, err = read(q, false, a)
		}
	}
	if err != nil {
		return investing.Page[T]{}, err
	}
	if p.Desc {
		slices.Reverse(rows)
	}
	return investing.Page[T]{Items: mapRows(rows, conv), Total: n}, nil
}
