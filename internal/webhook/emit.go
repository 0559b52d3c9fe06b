package webhook

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
)

// Emission is one event to record: its name and the resource as the API
// returns it (encoded as JSON).
type Emission struct {
	Event    string
	Resource any
}

// EmitAll records events in the transaction ctx carries (one is opened
// when it carries none) and queues a delivery to each active webhook
// subscribed to each: no event without its change, no change without its
// event. It costs one insert of the events, one read of the webhooks and,
// when any is subscribed, one insert of the deliveries and their jobs.
func (s *Service) EmitAll(ctx context.Context, orgID int64, ems ...Emission) error {
	if len(ems) == 0 {
		return nil
	}
	now := s.clock()
	events := make([]Event, len(ems))
	for i, em := range ems {
		data, ok := em.Resource.(json.RawMessage)
		if !ok {
			var err error
			if data, err = json.Marshal(em.Resource); err != nil {
				return errcode.Wrapf(err, "encode the data of %s", em.Event)
			}
		}
		events[i] = Event{ID: uuid.NewString(), OrganizationID: orgID, Name: em.Event, CreatedAt: now, Data: data}
	}
	return errcode.Wrapf(s.record(ctx, orgID, events), "record %d events of organization %d", len(events), orgID)
}

// Fire records one event now, as EmitAll does, and returns it: the
// sandbox's POST /v1/sandbox/events.
func (s *Service) Fire(ctx context.Context, orgID int64, name string, resource any) (Event, error) {
	data, err := json.Marshal(resource)
	if err != nil {
		return Event{}, err
	}
	e := Event{ID: uuid.NewString(), OrganizationID: orgID, Name: name, CreatedAt: s.clock(), Data: data}
	return e, s.record(ctx, orgID, []Event{e})
}

// record inserts events and queues a delivery to each active webhook
// subscribed to each, in one transaction (the one ctx carries, if any).
func (s *Service) record(ctx context.Context, orgID int64, events []Event) error {
	now := events[0].CreatedAt
	if d := s.dispatcher.Load(); d != nil && s.recentlyHooked(orgID) {
		// The first attempts by this process after the commit (dispatch.go).
		deadline := time.Now().Add(d.cfg.Grace - d.cfg.margin())
		return s.repo.WithTx(ctx, func(ctx context.Context) error {
			ds, err := s.repo.RecordDispatch(ctx, orgID, events, now, now.Add(d.cfg.Grace))
			if err != nil || len(ds) == 0 {
				return err
			}
			s.markHooked(orgID)
			for i := range ds {
				ds[i].deadline = deadline
			}
			d.dispatchAfterCommit(ctx, ds)
			return nil
		})
	}
	return s.repo.WithTx(ctx, func(ctx context.Context) error {
		ds, err := s.repo.RecordEmission(ctx, orgID, events, now)
		if err != nil || len(ds) == 0 {
			return err
		}
		s.markHooked(orgID) // its next emissions record dispatches (when a dispatcher runs)
		if q, ok := s.queue.(BatchQueue); ok {
			// One job per webhook: it sends the change's events to it in
			// order; a failed one gets its retries as a job of its own.
			var (
				ids   [][]int64
				group = map[int64]int{} // webhook id → its index in ids
			)
			for _, d := range ds {
				i, ok := group[d.WebhookID]
				if !ok {
					i = len(ids)
					group[d.WebhookID] = i
					ids = append(ids, nil)
				}
				ids[i] = append(ids[i], d.ID)
			}
			return errcode.Wrapf(q.EnqueueFirstAttempts(ctx, orgID, ids), "queue the first attempts of %d deliveries", len(ds))
		}
		for _, d := range ds {
			if err := s.queue.EnqueueAttempt(ctx, orgID, d.ID, 1, 0); err != nil {
				return errcode.Wrapf(err, "queue the first attempt of delivery %d (%s)", d.ID, d.Event)
			}
		}
		return nil
	})
}
