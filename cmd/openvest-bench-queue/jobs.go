package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// jobsBench is the jobs phase (make bench-jobs): purchase executions
// (fills) per second, and the create → COMPLETED lag of purchases sent at a
// steady rate, with and without a backlog of webhook deliveries.
type jobsBench struct {
	a          *api
	db         *pgx.Conn
	instrument int64
	customers  []int64
	pid        int    // the server's
	dbName     string // its database
	dbURL      string
}

// cpu is the CPU time (ms) the server and the PostgreSQL backends of its
// database have used so far (/proc/<pid>/stat; backends as listed now).
func (j *jobsBench) cpu(ctx context.Context) (server, postgres float64, err error) {
	rows, err := j.db.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, j.dbName)
	if err != nil {
		return 0, 0, err
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return 0, 0, err
	}
	for _, p := range pids {
		postgres += ticks(p)
	}
	return ticks(j.pid) * 10, postgres * 10, nil // USER_HZ 100: 10 ms a tick
}

// ticks is utime+stime of a process in clock ticks (0 when it is gone).
func ticks(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return u + k
}

func (j *jobsBench) purchase(ctx context.Context, n int) (int64, error) {
	body := fmt.Sprintf(`{"customerId":%d,"currency":"USD","instrumentId":%d,"purchaseAmount":10}`, j.customers[n%len(j.customers)], j.instrument)
	var r struct {
		Data struct {
			RequestID int64 `json:"requestId"`
		} `json:"data"`
	}
	if err := j.a.call(ctx, "POST", "/v1/requests/purchase", body, http.StatusCreated, &r); err != nil {
		return 0, fmt.Errorf("POST /v1/requests/purchase: %w", err)
	}
	return r.Data.RequestID, nil
}

// done waits until every request of ids has left PENDING (10 minutes at most).
func (j *jobsBench) done(ctx context.Context, ids []int64) error {
	return until(ctx, 10*time.Minute, func() (bool, error) {
		var pending int64
		err := j.db.QueryRow(ctx, `SELECT count(*) FROM requests WHERE id = ANY($1) AND status = 'PENDING'`, ids).Scan(&pending)
		return pending == 0, err
	})
}

func (j *jobsBench) run(ctx context.Context, cfg config) error {
	for i := range cfg.customers {
		var c struct {
			Data struct {
				CustomerID int64 `json:"customerId"`
			} `json:"data"`
		}
		if err := j.a.call(ctx, "POST", "/v1/customers", fmt.Sprintf(`{"firstName":"Jobs","lastName":"Bench%d"}`, i), http.StatusCreated, &c); err != nil {
			return fmt.Errorf("POST /v1/customers: %w", err)
		}
		j.customers = append(j.customers, c.Data.CustomerID)
	}

	// Fills/s: -fills purchases as fast as 16 workers send them.
	srv0, pg0, err := j.cpu(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	ids, err := j.purchases(ctx, cfg.fills)
	if err != nil {
		return err
	}
	accepted := time.Since(start)
	if err := j.done(ctx, ids); err != nil {
		return fmt.Errorf("fills: %w", err)
	}
	srv1, pg1, err := j.cpu(ctx)
	if err != nil {
		return err
	}
	var completed int64
	var span float64
	var p50, p99 float64
	if err := j.db.QueryRow(ctx, `SELECT count(*), extract(epoch FROM max(t.created_at) - min(t.created_at)),
  1000 * extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY t.created_at - r.created_at)),
  1000 * extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY t.created_at - r.created_at))
FROM requests r JOIN transactions t ON t.request_id = r.id WHERE r.id = ANY($1) AND r.status = 'COMPLETED'`, ids).Scan(&completed, &span, &p50, &p99); err != nil {
		return err
	}
	fmt.Printf("fills       %d purchases accepted in %.2fs (%.0f/s); %d COMPLETED at %.0f fills/s (first to last fill); create→COMPLETED p50=%.0fms p99=%.0fms\n",
		len(ids), accepted.Seconds(), float64(len(ids))/accepted.Seconds(), completed, float64(completed)/span, p50, p99)
	fmt.Printf("fills       CPU per purchase (accepted and executed): server %.2fms, postgres %.2fms (load average %s)\n",
		(srv1-srv0)/float64(len(ids)), (pg1-pg0)/float64(len(ids)), loadavg())
	if cfg.held > 0 {
		if err := j.heldBacklog(ctx, cfg.held); err != nil {
			return fmt.Errorf("held: %w", err)
		}
	}
	return j.paced(ctx, cfg, "with no backlog", nil)
}

// heldBacklog measures the executions alone: n purchases are accepted
// while another connection holds the row locks of the customers'
// portfolios (FOR NO KEY UPDATE: a new request's foreign key check still
// passes, every execution waits), then the locks are released and the
// backlog drains. It prints executions/s from the release to the last
// fill, and the CPU from the release until no execute_request job is left
// to work, per purchase.
func (j *jobsBench) heldBacklog(ctx context.Context, n int) error {
	hold, err := pgx.Connect(ctx, j.dbURL)
	if err != nil {
		return err
	}
	defer hold.Close(ctx)
	tx, err := hold.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // released below; a no-op then
	if _, err := tx.Exec(ctx, `SELECT id FROM portfolios WHERE customer_id = ANY($1) FOR NO KEY UPDATE`, j.customers); err != nil {
		return err
	}
	ids, err := j.purchases(ctx, n)
	if err != nil {
		return err
	}
	srv0, pg0, err := j.cpu(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := tx.Rollback(ctx); err != nil {
		return err
	}
	if err := j.done(ctx, ids); err != nil {
		return err
	}
	lastFill := time.Since(start)
	if err := until(ctx, 10*time.Minute, func() (bool, error) {
		var left int64
		err := j.db.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'execute_request' AND state IN ('available', 'running', 'retryable', 'scheduled')`).Scan(&left)
		return left == 0, err
	}); err != nil {
		return err
	}
	drained := time.Since(start)
	srv1, pg1, err := j.cpu(ctx)
	if err != nil {
		return err
	}
	var completed, txs int64
	if err := j.db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE r.status = 'COMPLETED'), count(t.id) FROM requests r LEFT JOIN transactions t ON t.request_id = r.id WHERE r.id = ANY($1)`, ids).Scan(&completed, &txs); err != nil {
		return err
	}
	fmt.Printf("held        %d purchases waiting, released: %d COMPLETED (%d transactions) in %.2fs, %.0f fills/s; every job done in %.2fs\n",
		len(ids), completed, txs, lastFill.Seconds(), float64(len(ids))/lastFill.Seconds(), drained.Seconds())
	fmt.Printf("held        CPU per purchase executed (release to last job): server %.2fms, postgres %.2fms (load average %s)\n",
		(srv1-srv0)/float64(len(ids)), (pg1-pg0)/float64(len(ids)), loadavg())
	return nil
}

// purchases sends n purchases (numbered 1 to n) as fast as 16 workers
// send them and returns their ids.
func (j *jobsBench) purchases(ctx context.Context, n int) ([]int64, error) {
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		mu    sync.Mutex
		ids   []int64
		first atomic.Pointer[error]
	)
	for range 16 {
		wg.Go(func() {
			for k := next.Add(1); k <= int64(n); k = next.Add(1) {
				id, err := j.purchase(ctx, int(k))
				if err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := first.Load(); err != nil {
		return nil, *err
	}
	return ids, nil
}

// paced sends cfg.rate purchases a second for cfg.rateFor and prints their
// create → COMPLETED lag (server timestamps: the request's created_at and
// its transaction's).
func (j *jobsBench) paced(ctx context.Context, cfg config, label string, waiting func() (int64, error)) error {
	var before int64
	if waiting != nil {
		var err error
		if before, err = waiting(); err != nil {
			return err
		}
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		ids   []int64
		first atomic.Pointer[error]
		sem   = make(chan struct{}, 64)
	)
	total := int(float64(cfg.rate) * cfg.rateFor.Seconds())
	tick := time.Second / time.Duration(cfg.rate)
	start := time.Now()
	for n := range total {
		if d := time.Until(start.Add(time.Duration(n) * tick)); d > 0 {
			time.Sleep(d)
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			id, err := j.purchase(ctx, n)
			if err != nil {
				first.CompareAndSwap(nil, &err)
				return
			}
			mu.Lock()
			ids = append(ids, id)
			mu.Unlock()
		})
	}
	wg.Wait()
	sent := time.Since(start)
	if err := first.Load(); err != nil {
		return *err
	}
	if err := j.done(ctx, ids); err != nil {
		return fmt.Errorf("paced purchases: %w", err)
	}
	rows, err := j.db.Query(ctx, `SELECT 1000 * extract(epoch FROM t.created_at - r.created_at) FROM requests r JOIN transactions t ON t.request_id = r.id
WHERE r.id = ANY($1) AND r.status = 'COMPLETED'`, ids)
	if err != nil {
		return err
	}
	lags, err := pgx.CollectRows(rows, pgx.RowTo[float64])
	if err != nil {
		return err
	}
	if len(lags) != len(ids) {
		return fmt.Errorf("paced purchases: %d of %d COMPLETED", len(lags), len(ids))
	}
	slices.Sort(lags)
	q := func(p float64) float64 { return lags[min(len(lags)-1, int(p*float64(len(lags))))] }
	extra := ""
	if waiting != nil {
		after, err := waiting()
		if err != nil {
			return err
		}
		extra = fmt.Sprintf("  (deliveries waiting: %d before, %d after)", before, after)
	}
	fmt.Printf("lag         %d purchases at %.0f/s %-20s create→COMPLETED p50=%.0fms p99=%.0fms max=%.0fms%s\n",
		len(ids), float64(len(ids))/sent.Seconds(), label, q(0.5), q(0.99), lags[len(lags)-1], extra)
	return nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
