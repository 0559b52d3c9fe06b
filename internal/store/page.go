package store

import "gorm.io/gorm"

// pageQuery orders by created_at then id, in the page's direction, qualified
// by table name, and applies limit and offset.
func pageQuery(q *gorm.DB, table string, limit, offset int, desc bool) *gorm.DB {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	return q.Order(table + ".created_at " + dir + ", " + table + ".id " + dir).Limit(limit).Offset(offset)
}

// total returns the number of rows on all pages. It counts only when the
// page is full or empty past the first page; otherwise the page itself tells.
func total(q *gorm.DB, items, limit, offset int) (int64, error) {
	if items < limit && (items > 0 || offset == 0) {
		return int64(offset + items), nil
	}
	var n int64
	err := q.Count(&n).Error
	return n, err
}

// mapRows converts database rows to domain values.
func mapRows[R, T any](rows []R, conv func(R) T) []T {
	out := make([]T, len(rows))
	for i, row := range rows {
		out[i] = conv(row)
	}
	return out
}
