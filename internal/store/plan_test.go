package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

// The generic-plan harness: a test records the statements a repository
// method sends (every one, GORM-built or hand-written straight to the
// connection), then runs each in the generic plan a prepared statement
// settles on after five executions (pgx prepares every statement), whose
// estimate of "organization_id = $1" is the average organization's, and
// counts the rows it read in each table. With many small organizations and
// one large one, a plan that finds the row by the organization alone and
// filters the rest reads every row of the large organization per call.

type recorded struct {
	sql  string
	vars []any
}

// connRecorder is the connection pool of a store that keeps each statement
// sent through it, while on (a repository's statements outside a
// transaction: the transaction's connection is taken from the *sql.DB
// under it).
type connRecorder struct {
	gorm.ConnPool
	db    *sql.DB
	mu    sync.Mutex
	on    bool
	stmts []recorded
}

// recordSQL puts a recorder between s's repositories and its pool.
func recordSQL(t testing.TB, s *store.Store) *connRecorder {
	t.Helper()
	sqlDB, err := s.DB.DB()
	require.NoError(t, err)
	r := &connRecorder{ConnPool: s.DB.ConnPool, db: sqlDB}
	s.DB.ConnPool = r
	s.DB.Statement.ConnPool = r
	return r
}

// GetDBConn lets gorm.DB.DB (and so the store's transactions) reach the pool.
func (r *connRecorder) GetDBConn() (*sql.DB, error) { return r.db, nil }

// BeginTx lets GORM begin a transaction on the pool.
func (r *connRecorder) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	return r.db.BeginTx(ctx, opts)
}

func (r *connRecorder) add(q string, args []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.stmts = append(r.stmts, recorded{q, slices.Clone(args)})
	}
}

func (r *connRecorder) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	r.add(q, args)
	return r.ConnPool.ExecContext(ctx, q, args...)
}

func (r *connRecorder) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	r.add(q, args)
	return r.ConnPool.QueryContext(ctx, q, args...)
}

func (r *connRecorder) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	r.add(q, args)
	return r.ConnPool.QueryRowContext(ctx, q, args...)
}

// capture runs fn and returns the statements it sent.
func (r *connRecorder) capture(t testing.TB, fn func()) []recorded {
	t.Helper()
	r.mu.Lock()
	r.on, r.stmts = true, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	require.NotEmpty(t, r.stmts, "the operation sent no statement through the recorder")
	return r.stmts
}

// planRunner runs statements in their generic plan on a connection of its
// own (plan_cache_mode = force_generic_plan), each in a transaction it
// rolls back, so that a write changes nothing.
type planRunner struct {
	c *sql.Conn
	n int
}

func newPlanRunner(t testing.TB, s *store.Store) *planRunner {
	t.Helper()
	sqlDB, err := s.DB.DB()
	require.NoError(t, err)
	c, err := sqlDB.Conn(t.Context())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	_, err = c.ExecContext(t.Context(), "SET plan_cache_mode = force_generic_plan")
	require.NoError(t, err)
	return &planRunner{c: c}
}

// explain executes st's generic plan and returns its plan, executed.
func (p *planRunner) explain(t testing.TB, st recorded) planNode {
	t.Helper()
	ctx := t.Context()
	p.n++
	name := "plan_" + strconv.Itoa(p.n)
	_, err := p.c.ExecContext(ctx, "PREPARE "+name+" AS "+st.sql)
	require.NoError(t, err, st.sql)
	defer func() { _, _ = p.c.ExecContext(context.Background(), "DEALLOCATE "+name) }()
	_, err = p.c.ExecContext(ctx, "BEGIN")
	require.NoError(t, err)
	defer func() { _, _ = p.c.ExecContext(context.Background(), "ROLLBACK") }()
	var plan string
	require.NoError(t, p.c.QueryRowContext(ctx, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE "+name+literals(t, st.vars)).Scan(&plan), st.sql)
	var root []struct{ Plan planNode }
	require.NoError(t, json.Unmarshal([]byte(plan), &root))
	root[0].Plan.text = plan
	return root[0].Plan
}

// literals are vars as the argument list of EXECUTE.
func literals(t testing.TB, vars []any) string {
	t.Helper()
	if len(vars) == 0 {
		return ""
	}
	parts := make([]string, len(vars))
	for i, v := range vars {
		if ss, ok := v.([]string); ok { // a text[] (pgx takes the slice as it is)
			quoted := make([]string, len(ss))
			for j, s := range ss {
				quoted[j] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
			}
			parts[i] = "'{" + strings.ReplaceAll(strings.Join(quoted, ","), "'", "''") + "}'"
			continue
		}
		if ns, ok := v.([]int64); ok { // a bigint[]
			parts[i] = "'{" + strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ns)), ","), "[]") + "}'"
			continue
		}
		dv, err := driver.DefaultParameterConverter.ConvertValue(v)
		require.NoError(t, err, "argument %d (%T)", i, v)
		switch v := dv.(type) {
		case nil:
			parts[i] = "NULL"
		case int64, float64:
			parts[i] = fmt.Sprint(v)
		case bool:
			parts[i] = strconv.FormatBool(v)
		case string:
			parts[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		case []byte:
			parts[i] = `'\x` + hex.EncodeToString(v) + "'"
		case time.Time:
			parts[i] = "'" + v.Format(time.RFC3339Nano) + "'"
		default:
			t.Fatalf("argument %d: %T is not covered by this test", i, v)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// planNode is a node of EXPLAIN (FORMAT JSON).
type planNode struct {
	Type             string     `json:"Node Type"`
	Relation         string     `json:"Relation Name"`
	Rows             float64    `json:"Actual Rows"`
	Loops            float64    `json:"Actual Loops"`
	RemovedByFilter  float64    `json:"Rows Removed by Filter"`
	RemovedByRecheck float64    `json:"Rows Removed by Index Recheck"`
	SharedHit        float64    `json:"Shared Hit Blocks"`
	SharedRead       float64    `json:"Shared Read Blocks"`
	Plans            []planNode `json:"Plans"`
	text             string     // the whole plan, on the root
}

// rowsRead is, for table, the most rows one loop of a scan of it read (the
// rows it returned and those its filter removed), and the rows all its
// scans read in all their loops.
func (n planNode) rowsRead(table string) (perLoop, total float64) {
	if n.Relation == table && n.Type != "ModifyTable" {
		perLoop = n.Rows + n.RemovedByFilter + n.RemovedByRecheck
		total = perLoop * n.Loops
	}
	for _, c := range n.Plans {
		p, s := c.rowsRead(table)
		perLoop, total = max(perLoop, p), total+s
	}
	return perLoop, total
}

// requireReads requires that each statement's generic plan read at most
// most rows of each table in bounds (in all its loops), and logs what it read.
func (p *planRunner) requireReads(t testing.TB, what string, stmts []recorded, bounds map[string]float64) {
	t.Helper()
	for _, st := range stmts {
		plan := p.explain(t, st)
		var got []string
		for _, table := range slices.Sorted(maps.Keys(bounds)) {
			perLoop, total := plan.rowsRead(table)
			got = append(got, fmt.Sprintf("%s %.0f/loop %.0f in all", table, perLoop, total))
			assert.LessOrEqual(t, total, bounds[table], "%s: rows of %s the generic plan read\n%s\n%s", what, table, st.sql, plan.text)
		}
		t.Logf("%s: %s; %.0f buffers\n  %s", what, strings.Join(got, ", "), plan.SharedHit+plan.SharedRead, oneLine(st.sql))
	}
}

func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }
