package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/trading"
	"github.com/openvest/openvest/internal/webhook"
)

// Poster checks and reaches report destinations; webhook.Service is one.
type Poster interface {
	CheckURL(ctx context.Context, field, raw string) (string, error)
	OrganizationKey(ctx context.Context, orgID int64) (webhook.Key, error)
	PostSigned(ctx context.Context, url string, key webhook.Key, e webhook.Event) webhook.Attempt
}

// Service carries out the report use cases.
type Service struct {
	repo      Repository
	sched     Scheduler
	poster    Poster
	investing *investing.Service
	trading   *trading.Service
	events    event.Emitter
	now       func() time.Time
	log       *slog.Logger
	// Present renders a report as the API returns it (the data of its deliveries).
	Present func(Report) (any, error)
}

// NewService returns a Service.
func NewService(repo Repository, sched Scheduler, poster Poster, inv *investing.Service, tr *trading.Service, events event.Emitter, now func() time.Time, log *slog.Logger) *Service {
	return &Service{repo: repo, sched: sched, poster: poster, investing: inv, trading: tr, events: events, now: now, log: log,
		Present: func(r Report) (any, error) { return r, nil }}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// NewReport is what POST /v1/reports asks for.
type NewReport struct {
	Types      []Type
	Format     Format // default JSON
	URL, Email *string
}

// Create records a PENDING report, its job and REPORT.CREATED in one
// transaction. Invalid: no or an unknown type, a url that webhooks could
// not reach, a malformed email.
func (s *Service) Create(ctx context.Context, org investing.Org, in NewReport) (Report, error) {
	if len(in.Types) == 0 {
		return Report{}, errcode.New(errcode.Invalid, "reportTypes must list at least one of USER, TRANSACTION, REGULATORY")
	}
	var types []Type
	for _, t := range in.Types {
		if t != User && t != Transaction && t != Regulatory {
			return Report{}, errcode.New(errcode.Invalid, "reportTypes: %q is not USER, TRANSACTION or REGULATORY", string(t))
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if in.Format == "" {
		in.Format = JSON
	}
	if in.Format != JSON && in.Format != CSV {
		return Report{}, errcode.New(errcode.Invalid, "format is CSV or JSON, not %q", string(in.Format))
	}
	r := Report{OrganizationID: org.ID, Types: types, Format: in.Format, Email: in.Email, Status: Pending, Delivery: Delivery{Status: NoDelivery}}
	if in.URL != nil {
		u, err := s.poster.CheckURL(ctx, "url", *in.URL)
		if err != nil {
			return Report{}, err
		}
		r.URL, r.Delivery.Status = &u, DeliveryPending
	}
	if in.Email != nil {
		if a, err := mail.ParseAddress(*in.Email); err != nil || a.Address != *in.Email {
			return Report{}, errcode.New(errcode.Invalid, "email %q is not an e-mail address such as reports@example.com", *in.Email)
		}
	}
	r.CreatedAt = s.clock()
	r.UpdatedAt = r.CreatedAt
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		if err := s.repo.CreateReport(ctx, &r); err != nil {
			return err
		}
		if err := s.sched.ScheduleReport(ctx, org.ID, r.ID, 0); err != nil {
			return err
		}
		return s.events.Emit(ctx, org.ID, ReportCreated{r})
	})
	return r, errcode.Wrapf(err, "create a report of organization %d", org.ID)
}

// Report reads one report, with its file when content. NotFound.
func (s *Service) Report(ctx context.Context, org investing.Org, id int64, content bool) (Report, error) {
	return s.repo.Report(ctx, org.ID, id, content, false)
}

// Reports lists one page of reports.
func (s *Service) Reports(ctx context.Context, org investing.Org, p investing.PageRequest) (investing.Page[Report], error) {
	return s.repo.ListReports(ctx, org.ID, p)
}

// deliveryDelays are the waits before the attempts after the first.
var deliveryDelays = []time.Duration{2 * time.Second, 10 * time.Second, time.Minute, 5 * time.Minute}

// Run is the report's job: it produces a PENDING report (COMPLETED with
// its file, or ERROR with the reason; REPORT.UPDATED), then makes one
// attempt of a pending delivery, queueing the next one when it fails and
// attempts remain (REPORT.UPDATED once delivered or failed for good). A
// job run twice does nothing the second time.
func (s *Service) Run(ctx context.Context, orgID, id int64) error {
	var r Report
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if r, err = s.repo.Report(ctx, orgID, id, true, true); err != nil {
			return err
		}
		if r.Status != Pending {
			return nil
		}
		content, rows, err := s.build(ctx, r)
		now := s.clock()
		r.UpdatedAt = now
		switch {
		case errcode.Is(err, errcode.Unprocessable):
			msg := err.Error()
			r.Status, r.ErrorReason = Failed, &msg
			if r.URL != nil {
				r.Delivery.Status = DeliveryFailed
				reason := "not delivered: the report failed"
				r.Delivery.Error = &reason
			}
		case err != nil:
			return fmt.Errorf("build report %d: %w", id, err)
		default:
			r.Status, r.Content, r.Rows, r.Size, r.CompletedAt = Completed, content, rows, int64(len(content)), &now
			r.ContentType = contentType(r.Format)
		}
		if err := s.repo.SaveReport(ctx, &r); err != nil {
			return err
		}
		return s.events.Emit(ctx, orgID, ReportUpdated{r})
	})
	if errcode.Is(err, errcode.NotFound) {
		return nil
	}
	if err != nil || r.Status != Completed || r.Delivery.Status != DeliveryPending {
		return errcode.Wrapf(err, "produce report %d of organization %d", id, orgID)
	}
	return errcode.Wrapf(s.deliver(ctx, r), "deliver report %d of organization %d", id, orgID)
}

// deliver makes one attempt of the report's POST to its url.
func (s *Service) deliver(ctx context.Context, r Report) error {
	key, err := s.poster.OrganizationKey(ctx, r.OrganizationID)
	if err != nil {
		return fmt.Errorf("the key to sign report %d: %w", r.ID, err)
	}
	body, err := s.payload(r)
	if err != nil {
		return fmt.Errorf("the payload of report %d: %w", r.ID, err)
	}
	n := r.Delivery.Attempts + 1
	a := s.poster.PostSigned(ctx, *r.URL, key, webhook.Event{
		ID: uuid.NewString(), OrganizationID: r.OrganizationID, Name: ReportUpdated{r}.EventName(), CreatedAt: s.clock(), Data: body,
	})
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.repo.Report(ctx, r.OrganizationID, r.ID, false, true)
		if err != nil {
			return err
		}
		if cur.Delivery.Status != DeliveryPending || cur.Delivery.Attempts >= n {
			return nil // another run recorded this attempt
		}
		now := s.clock()
		cur.Delivery.Attempts, cur.UpdatedAt, cur.Delivery.KeyID = n, now, &key.KeyID
		cur.Delivery.StatusCode, cur.Delivery.Error = nil, nil
		if a.StatusCode != 0 {
			code := a.StatusCode
			cur.Delivery.StatusCode = &code
		}
		if a.Error != "" {
			msg := a.Error
			cur.Delivery.Error = &msg
		}
		final := true
		switch {
		case a.Succeeded:
			cur.Delivery.Status, cur.Delivery.DeliveredAt = Delivered, &now
		case n >= MaxDeliveryAttempts:
			cur.Delivery.Status = DeliveryFailed
		default:
			final = false
			if err := s.sched.ScheduleReport(ctx, r.OrganizationID, r.ID, deliveryDelays[n-1]); err != nil {
				return err
			}
		}
		if err := s.repo.SaveReport(ctx, &cur); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "report delivery attempt", "report_id", r.ID, "attempt", n, "status_code", a.StatusCode, "error", a.Error)
		if !final {
			return nil
		}
		return s.events.Emit(ctx, r.OrganizationID, ReportUpdated{cur})
	})
	return errcode.Wrapf(err, "record attempt %d", n)
}

// payload is the data of a report's POST: the report as the API returns
// it, with the file's content (JSON: the document; CSV: its text).
func (s *Service) payload(r Report) (json.RawMessage, error) {
	v, err := s.Present(r)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if r.Format == JSON {
		m["content"] = r.Content
	} else if m["content"], err = json.Marshal(string(r.Content)); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

func contentType(f Format) string {
	if f == CSV {
		return "text/csv; charset=utf-8"
	}
	return "application/json"
}
