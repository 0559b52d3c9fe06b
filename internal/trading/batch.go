package trading

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/metrics"
	"github.com/shopspring/decimal"
)

// MaxBatch is the most one-time purchases ExecuteBatch fills together.
const MaxBatch = 200

// ExecuteBatch executes the one-time request requestID as ExecuteRequest
// does, and with it, in the same transaction, the other PENDING one-time
// purchases of its account (at most MaxBatch in all, in id order): each
// is filled as one execution after another would fill it, with the same
// arithmetic (prepare and fillIn), and gets its own transaction and its
// own events, but the batch writes its transactions in one statement, its
// requests' statuses in one, the holding and the portfolio once and its
// events in one emission. The jobs of the requests it took then find them
// no longer PENDING and do nothing.
//
// Lock order: the single path (ExecuteRequest) locks the request, then the
// account's portfolio, then the holding. The batch reads the request
// unlocked, locks the portfolio (the same statement as the single path),
// then the account's PENDING purchases, skipping those another transaction
// holds (SKIP LOCKED: it never waits on a request row while it holds the
// portfolio), then the holdings. So a batch and a single execution, or two
// batches, of one account never wait on each other in a cycle; two batches
// queue on the portfolio, and the second finds the first one's requests
// done.
//
// A sell, a recurring request, a request the batch could not take (held
// by another transaction), a portfolio that cannot trade as it is (not
// found with an ACTIVE customer and account, or not ACTIVE), and any error
// of the batch (rolled back in full) leave the request to ExecuteRequest
// alone, which decides and words the outcome as always.
func (s *Service) ExecuteBatch(ctx context.Context, orgID, requestID int64) error {
	r, err := s.repo.Request(ctx, orgID, requestID, false)
	if errcode.Is(err, errcode.NotFound) || err == nil && r.Status != Pending {
		metrics.RequestExecutions.WithLabelValues("skipped").Inc()
		return nil // gone, or executed already (by a batch, most often)
	}
	if err != nil {
		return errcode.Wrapf(err, "execute request %d of organization %d", requestID, orgID)
	}
	if r.IsRecurring || r.Type != Purchase {
		return s.ExecuteRequest(ctx, orgID, requestID, time.Time{})
	}
	var outcomes []string
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		outcomes, err = s.executeBatch(ctx, r)
		return err
	})
	switch {
	case err != nil:
		slog.WarnContext(ctx, "batch execution failed: executing the request alone", "organization_id", orgID, "request_id", requestID, "error", err)
	case outcomes != nil:
		for _, o := range outcomes {
			metrics.RequestExecutions.WithLabelValues(o).Inc()
		}
		return nil
	}
	return s.ExecuteRequest(ctx, orgID, requestID, time.Time{})
}

// executeBatch fills r (read unlocked, a PENDING one-time purchase) and
// the other PENDING one-time purchases of its account (see ExecuteBatch),
// in the transaction ctx carries, and returns the outcome of each
// (completed, failed; skipped alone: r was done meanwhile). nil outcomes
// and no error: the batch did not take r; the caller executes r alone.
func (s *Service) executeBatch(ctx context.Context, r Request) ([]string, error) {
	offset, overrides, err := s.repo.SandboxState(ctx, r.OrganizationID)
	if err != nil {
		return nil, err
	}
	p, ok, err := s.repo.ActivePortfolioOfAccount(ctx, r.OrganizationID, r.CustomerID, r.AccountID, true)
	if err != nil || !ok || p.Status != investing.Active {
		return nil, err
	}
	rs, err := s.repo.LockPendingRequests(ctx, r.OrganizationID, r.AccountID, Purchase, MaxBatch)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(rs, func(q Request) bool { return q.ID == r.ID }) {
		// Most often a batch that held the portfolio before this one took
		// r: read as committed now, it is done. Else another transaction
		// holds it: ExecuteRequest waits for it and decides.
		now, err := s.repo.Request(ctx, r.OrganizationID, r.ID, false)
		if errcode.Is(err, errcode.NotFound) || err == nil && now.Status != Pending {
			return []string{"skipped"}, nil
		}
		return nil, err
	}
	now := s.nowWith(offset)
	h := &batchHoldings{s: s, held: map[int64]*Asset{}, valued: map[int64]Asset{}}
	fill := func(ctx context.Context, r *Request, t *Transaction, at time.Time) ([]event.Event, string, bool, error) {
		return s.fillIn(ctx, r, t, at, overrides, &p, h)
	}
	var (
		ts       = make([]Transaction, len(rs))
		fills    = make([][]event.Event, len(rs))
		outcomes = make([]string, len(rs))
	)
	for i := range rs {
		t, events, fatal, err := s.prepare(ctx, &rs[i], nil, now, fill)
		if err != nil {
			return nil, err
		}
		if err := s.advance(ctx, &rs[i], t, fatal, now, nil); err != nil {
			return nil, err
		}
		ts[i], fills[i], outcomes[i] = t, events, strings.ToLower(string(t.Status))
	}
	if err := s.repo.CreateTransactions(ctx, r.OrganizationID, ts); err != nil {
		return nil, errcode.Wrapf(err, "record the %d executions of the batch of request %d", len(ts), r.ID)
	}
	if err := h.flush(ctx, &p); err != nil {
		return nil, err
	}
	if err := s.repo.SaveRequests(ctx, r.OrganizationID, rs); err != nil {
		return nil, err
	}
	events := make([]event.Event, 0, 4*len(rs))
	for i := range rs {
		events = append(append(events, fills[i]...), TransactionCreated{ts[i]}, RequestUpdated{rs[i]})
	}
	if err := s.events.Emit(ctx, r.OrganizationID, events...); err != nil {
		return nil, err
	}
	return outcomes, nil
}

// batchHoldings is the holdings of a batch: the portfolio's holdings read
// (and locked) once, filled in memory one execution after another, and
// written once (flush). A holding a fill opens is inserted at once, for its
// id.
type batchHoldings struct {
	s      *Service
	held   map[int64]*Asset // by instrument: the holdings the batch locked or opened
	dirty  []int64          // instruments whose holding changed since it was written
	valued map[int64]Asset  // by instrument: every holding of the portfolio, valued as revaluePortfolio values it
	loaded bool             // valued holds the portfolio's holdings
}

func (h *batchHoldings) of(ctx context.Context, p *investing.Portfolio, instrumentID int64) (Asset, bool, error) {
	if a, ok := h.held[instrumentID]; ok {
		return *a, true, nil
	}
	a, found, err := h.s.repo.AssetOf(ctx, p.OrganizationID, p.ID, instrumentID)
	if err != nil || !found {
		return a, found, err
	}
	h.held[instrumentID] = &a
	return a, true, nil
}

// book keeps a in memory (inserting it when the fill opened it) and
// revalues p as revaluePortfolio would with a written: every holding
// valued at at, summed.
func (h *batchHoldings) book(ctx context.Context, p *investing.Portfolio, a *Asset, created bool, at time.Time, overrides map[int64]decimal.Decimal) (event.Event, error) {
	if created {
		if err := h.s.repo.CreateAsset(ctx, a); err != nil {
			return nil, err
		}
	} else if !slices.Contains(h.dirty, a.InstrumentID) {
		h.dirty = append(h.dirty, a.InstrumentID)
	}
	kept := *a
	h.held[a.InstrumentID] = &kept
	if !h.loaded {
		assets, err := h.s.repo.PortfolioAssets(ctx, p.OrganizationID, []int64{p.ID})
		if err != nil {
			return nil, err
		}
		if err := h.s.value(ctx, p.OrganizationID, assets, at, overrides); err != nil {
			return nil, err
		}
		for _, v := range assets {
			h.valued[v.InstrumentID] = v
		}
		h.loaded = true
	}
	v := []Asset{*a}
	if err := h.s.value(ctx, p.OrganizationID, v, at, overrides); err != nil {
		return nil, err
	}
	h.valued[a.InstrumentID] = v[0]
	setTotals(p, maps.Values(h.valued), at)
	return investing.PortfolioUpdated{Portfolio: *p}, nil
}

// flush writes the holdings changed since they were read or opened, and
// p's values, once.
func (h *batchHoldings) flush(ctx context.Context, p *investing.Portfolio) error {
	for _, inst := range h.dirty {
		if err := h.s.repo.SaveAsset(ctx, h.held[inst]); err != nil {
			return err
		}
	}
	if !h.loaded {
		return nil // nothing was filled
	}
	return h.s.repo.SavePortfolioValues(ctx, p)
}
