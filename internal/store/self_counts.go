package store

// The statements that count their own rows (migrations 00032 and 00033:
// the customer create's, a request's insert) add to the rows the count
// triggers add to: the same slot and the same hour bucket.
const countSlotSQL = "pg_backend_pid() % 256"

// hourBucketSQL is the hour of list_buckets a row of created_at col falls in.
func hourBucketSQL(col string) string {
	return "date_bin('1 hour', " + col + ", '2000-01-01 00:00:00+00')"
}

// selfCountCTEs are the two data-modifying CTEs, counts and buckets, of a
// statement that counts its own rows: counts is a SELECT of
// (organization_id, list, key, slot, n) rows for list_counts, buckets one
// of (organization_id, list, key, bucket, slot, n) rows for list_buckets,
// each row once and in key order (an upsert may not touch a row twice,
// and the order keeps concurrent statements from deadlocking).
func selfCountCTEs(counts, buckets string) string {
	return `counts AS (
  INSERT INTO list_counts AS x (organization_id, list, key, slot, n)
  ` + counts + `
  ON CONFLICT (organization_id, list, key, slot) DO UPDATE SET n = x.n + EXCLUDED.n
), buckets AS (
  INSERT INTO list_buckets AS x (organization_id, list, key, bucket, slot, n)
  ` + buckets + `
  ON CONFLICT (organization_id, list, key, bucket, slot) DO UPDATE SET n = x.n + EXCLUDED.n
)`
}
