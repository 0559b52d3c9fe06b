package store

import (
	"context"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/trading"
	"gorm.io/gorm/clause"
)

// LockPendingRequests implements trading.Repository (index
// requests_org_account_pending). On PostgreSQL the rows are locked FOR NO
// KEY UPDATE SKIP LOCKED: a request another execution (or a cancel) holds
// is left to it, so that a batch never waits on a request row while it
// holds the portfolio (the single path takes the request, then the
// portfolio).
func (r *TradingRepo) LockPendingRequests(ctx context.Context, orgID, accountID int64, t trading.RequestType, limit int) ([]trading.Request, error) {
	q := r.db(ctx)
	if r.s.Dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE", Options: "SKIP LOCKED"})
	}
	var rows []requestRow
	// The predicate of the index as literals, not parameters (see 00024).
	err := q.Scopes(inOrg(orgID)).Where("account_id = ? AND status = 'PENDING' AND NOT is_recurring AND request_type = ?", accountID, string(t)).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, errcode.Wrapf(err, "lock the pending %s requests of account %d of organization %d", t, accountID, orgID)
	}
	return mapRows(rows, requestRow.domain), nil
}

// requestValues is what SaveRequest writes, but the id: the requests of a
// batch that share them are saved in one statement.
type requestValues struct {
	status     string
	next       time.Time // zero: NULL
	executions int
	reason     string
	hasReason  bool
	updatedAt  time.Time
}

// SaveRequests implements trading.Repository: one UPDATE per distinct set
// of values (a batch of fills is usually one: COMPLETED, one execution, the
// same time).
func (r *TradingRepo) SaveRequests(ctx context.Context, orgID int64, rs []trading.Request) error {
	var (
		order  []requestValues
		groups = map[requestValues][]int64{}
	)
	for _, q := range rs {
		v := requestValues{status: string(q.Status), executions: q.Executions, updatedAt: q.UpdatedAt}
		if q.NextExecutionAt != nil {
			v.next = *q.NextExecutionAt
		}
		if q.ErrorReason != nil {
			v.reason, v.hasReason = *q.ErrorReason, true
		}
		if _, ok := groups[v]; !ok {
			order = append(order, v)
		}
		groups[v] = append(groups[v], q.ID)
	}
	for _, v := range order {
		var next *time.Time
		if !v.next.IsZero() {
			next = &v.next
		}
		var reason *string
		if v.hasReason {
			reason = &v.reason
		}
		err := r.db(ctx).Model(&requestRow{}).Scopes(inOrg(orgID)).Where("id IN ?", groups[v]).
			Updates(map[string]any{
				"status": v.status, "next_execution_at": next, "executions": v.executions,
				"error_reason": reason, "updated_at": v.updatedAt,
			}).Error
		if err != nil {
			return errcode.Wrapf(err, "save requests %v of organization %d", groups[v], orgID)
		}
	}
	return nil
}

// CreateTransactions implements trading.Repository: one multi-row insert.
func (r *TradingRepo) CreateTransactions(ctx context.Context, orgID int64, ts []trading.Transaction) error {
	if len(ts) == 0 {
		return nil
	}
	rows := make([]transactionRow, len(ts))
	for i := range ts {
		rows[i] = transactionRowOf(&ts[i])
		rows[i].OrganizationID = orgID
	}
	if err := r.db(ctx).Create(&rows).Error; err != nil {
		return errcode.Wrapf(conflictIfUnique(err, "a request of %d has already executed its cycle", len(ts)),
			"create %d transactions of organization %d", len(ts), orgID)
	}
	for i := range ts {
		ts[i].ID = rows[i].ID
	}
	return nil
}
