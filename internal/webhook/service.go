package webhook

import (
	"context"
	"errors"
	"fmt"
	"github.com/openvest/openvest/internal/sandbox"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/event"
	"github.com/openvest/openvest/internal/investing"
	"github.com/openvest/openvest/internal/txn"
)

// Status is a webhook's status (spelled as the investing docs spell it).
type Status string

// The webhook statuses.
const (
	Active     Status = "ACTIVE"
	Deactived  Status = "DEACTIVED"
	reasonGone        = "the receiver answered 410 Gone"
)

// Webhook is a URL subscribed to events of an organization.
type Webhook struct {
	ID                int64
	OrganizationID    int64
	URL               string
	Subscriptions     []string
	Status            Status
	DeactivatedReason *string
	// Key is the webhook's own signing key pair, made with the webhook;
	// nil only for a webhook created before per-webhook keys, until
	// EnsureKey gives it one.
	Key       *Key
	CreatedAt time.Time
	UpdatedAt time.Time
}

// State is where a delivery stands.
type State string

// The delivery states.
const (
	Pending   State = "PENDING"
	Succeeded State = "SUCCEEDED"
	Failed    State = "FAILED"
	Canceled  State = "CANCELED"
)

// Delivery is one event on its way to one webhook.
type Delivery struct {
	ID             int64
	OrganizationID int64
	WebhookID      int64
	EventID        string
	Event          string // the event name
	Attempts       int
	State          State
	LastStatusCode *int
	LastLatency    *time.Duration
	LastError      *string
	NextAttemptAt  *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Repository is the storage the webhook service needs. Methods join the
// transaction their context carries (see txn).
type Repository interface {
	txn.Transactor // opens the service's units of work

	Keys(ctx context.Context) ([]Key, error)
	CreateKey(ctx context.Context, k *Key) error
	RetireKey(ctx context.Context, id int64, at time.Time) error

	CreateWebhook(ctx context.Context, w *Webhook) error
	// Webhook reads one; lock holds it until the transaction ends. NotFound.
	Webhook(ctx context.Context, orgID, id int64, lock bool) (Webhook, error)
	SaveWebhook(ctx context.Context, w *Webhook) error
	// DeleteWebhook removes a webhook and its deliveries. NotFound.
	DeleteWebhook(ctx context.Context, orgID, id int64) error
	ListWebhooks(ctx context.Context, orgID int64, p investing.PageRequest) (investing.Page[Webhook], error)
	// WebhooksWithoutKey lists the webhooks of every organization that have
	// no signing key of their own (created before per-webhook keys).
	WebhooksWithoutKey(ctx context.Context) ([]Webhook, error)
	// SetWebhookKey stores a webhook's signing key when it has none.
	SetWebhookKey(ctx context.Context, orgID, id int64, k Key) error
	ActiveWebhooks(ctx context.Context, orgID int64) ([]Webhook, error)
	// RecordEmission inserts the events of one organization that an active
	// webhook takes (no other: nothing reads an event but its deliveries)
	// and a PENDING delivery of each to each active webhook subscribed to
	// it (its first attempt due at at), and returns the deliveries in the events' order,
	// then the webhooks' id order (their ids drawn in that order), in one
	// round trip where the database allows. The webhooks are those
	// subscribed to ALL, an event's domain or the event itself; all of them
	// for a test event.
	RecordEmission(ctx context.Context, orgID int64, es []Event, at time.Time) ([]Delivery, error)
	// RecordDispatch is RecordEmission for a process that makes the first
	// attempts itself once the transaction commits: it also records one
	// dispatch per webhook delivered to (its deliveries in order, due at
	// due, when the sweep may queue them instead), in the same round
	// trip where the database allows, and returns them with what the
	// attempts send, in the webhooks' id order.
	RecordDispatch(ctx context.Context, orgID int64, es []Event, at, due time.Time) ([]Dispatch, error)
	// DeleteDispatch removes a dispatch whose first attempts are recorded
	// (or queued as a job); it reports whether the row was there (the
	// sweep may have taken it).
	DeleteDispatch(ctx context.Context, orgID, id int64) (bool, error)
	// TakeDueDispatches deletes up to limit dispatches due by at, the
	// oldest first, in the transaction ctx carries, and returns them; on
	// PostgreSQL a row another transaction is taking is skipped.
	TakeDueDispatches(ctx context.Context, at time.Time, limit int) ([]DueDispatch, error)

	CreateEvents(ctx context.Context, es []Event) error
	Event(ctx context.Context, orgID int64, id string) (Event, error)

	CreateDeliveries(ctx context.Context, ds []*Delivery) error
	// Delivery reads one; lock holds it until the transaction ends. NotFound.
	Delivery(ctx context.Context, orgID, id int64, lock bool) (Delivery, error)
	SaveDelivery(ctx context.Context, d *Delivery) error
	// Outgoing reads the deliveries ids with their webhooks and events
	// (one joined read), in id order; an id not found is left out.
	Outgoing(ctx context.Context, orgID int64, ids []int64) ([]Outgoing, error)
	// RecordAttempt saves attempt n of d (its state, outcome and next
	// attempt) when d is still pending with fewer than n attempts; it
	// returns whether it did. A change of the row under way is waited for.
	RecordAttempt(ctx context.Context, d *Delivery, n int) (bool, error)
	// RecordAttempts saves attempt n of each of ds, ended (succeeded,
	// failed or canceled: no next attempt), at, as RecordAttempt does for
	// one, in one statement; it returns how many it saved.
	RecordAttempts(ctx context.Context, orgID int64, ds []Delivery, n int, at time.Time) (int64, error)
	// RecordDispatches is RecordAttempts of several dispatches at once
	// (their ended attempts n, each of its own organization, and their
	// rows), in one statement where the database allows: one commit
	// for the dispatches that end together.
	RecordDispatches(ctx context.Context, rs []DispatchRecord, n int, at time.Time) error
	ListDeliveries(ctx context.Context, orgID, webhookID int64, state *State, p investing.PageRequest) (investing.Page[Delivery], error)
	// CancelPending cancels a webhook's pending deliveries.
	CancelPending(ctx context.Context, orgID, webhookID int64, at time.Time) error
	// PurgeBefore deletes the finished deliveries last updated before t, then
	// the events created before t that no delivery refers to; it returns how
	// many rows it deleted.
	PurgeBefore(ctx context.Context, t time.Time) (int64, error)
}

// Queue runs delivery attempts: Enqueue asks for one attempt of a
// delivery at a time, in the transaction ctx carries (so the job exists
// exactly when the delivery row does).
type Queue interface {
	EnqueueAttempt(ctx context.Context, orgID, deliveryID int64, attempt int, delay time.Duration) error
}

// BatchQueue is a Queue that can also queue the first attempts of
// several deliveries as one job per group (the deliveries of one change to
// one webhook): one job instead of one per delivery (jobs.Queue is one).
type BatchQueue interface {
	EnqueueFirstAttempts(ctx context.Context, orgID int64, groups [][]int64) error
}

// Outgoing is a delivery with what an attempt of it sends: its webhook and
// its event.
type Outgoing struct {
	Delivery Delivery
	Webhook  Webhook
	Event    Event
}

// Dispatch is the first attempts of one change's deliveries to one
// webhook, which the emitting process makes after the commit: its row's
// id, and each delivery with its webhook (as the emission read it) and
// event, in order.
type Dispatch struct {
	ID             int64
	OrganizationID int64
	DueAt          time.Time // when the sweep may queue them instead (by the service's clock)
	Out            []Outgoing
	deadline       time.Time // DueAt by the wall clock, less a tenth of the grace: when the worker stops sending
	queuedAt       time.Time // when it was handed to a worker (wall clock)
}

// DispatchRecord is what RecordDispatches saves of one dispatch: its
// deliveries' ended attempts and its row's key.
type DispatchRecord struct {
	OrganizationID int64
	DispatchID     int64
	Ended          []Delivery
}

// DueDispatch is a dispatch the sweep took: its deliveries' ids, in order.
type DueDispatch struct {
	ID             int64
	OrganizationID int64
	WebhookID      int64
	DeliveryIDs    []int64
}

// Config tunes the service.
type Config struct {
	AllowPrivate bool          // deliver to private addresses and plain http (local testing only)
	Timeout      time.Duration // per attempt (10s)
	KeyOverlap   time.Duration // how long a rotated-out key stays published (7 days)
	Retention    time.Duration // how long events and finished deliveries are kept (30 days)
	Schedule     Schedule      // the retry delays (DefaultSchedule)
	// Resolver looks a webhook's host up at creation (net.DefaultResolver).
	Resolver Resolver
}

// Service manages webhooks and delivers events.
type Service struct {
	repo   Repository
	queue  Queue
	now    func() time.Time
	cfg    Config
	client *http.Client
	events event.Emitter
	faults *sandbox.Service // the delivery fault rules (WithFaults)
	// dispatcher, while one runs, makes the first attempts after the
	// commit (dispatch.go); without one they are queued as jobs.
	dispatcher atomic.Pointer[Dispatcher]
	// hooked are the organizations whose emissions lately had a delivery
	// (or got an active webhook here): id → when, wall clock (see
	// recentlyHooked).
	hooked sync.Map
}

// hookedFor is how long an organization's last delivery makes its
// emissions take the statement that also records dispatches.
const hookedFor = 10 * time.Minute

// recentlyHooked reports whether orgID's emissions should record
// dispatches: it had a delivery (or an active webhook made here) within
// hookedFor. Only the statement depends on it, never what is delivered:
// an emission without dispatches still records every delivery of every
// active webhook and queues their jobs, so a wrong guess (a webhook made
// on another replica, or one that stopped) costs speed, not an event.
// An organization with no webhook pays for no dispatch CTE (the
// statement's two extra inserts cost about 0.02 ms even with no row).
func (s *Service) recentlyHooked(orgID int64) bool {
	t, ok := s.hooked.Load(orgID)
	return ok && time.Since(t.(time.Time)) < hookedFor
}

// markHooked notes that orgID's emissions have deliveries (written at
// most once a minute per organization).
func (s *Service) markHooked(orgID int64) {
	if t, ok := s.hooked.Load(orgID); ok && time.Since(t.(time.Time)) < time.Minute {
		return
	}
	s.hooked.Store(orgID, time.Now())
}

// NewService returns a Service.
func NewService(repo Repository, queue Queue, now func() time.Time, cfg Config) *Service {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.KeyOverlap <= 0 {
		cfg.KeyOverlap = 7 * 24 * time.Hour
	}
	if cfg.Schedule == nil {
		cfg.Schedule = DefaultSchedule
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	return &Service{repo: repo, queue: queue, now: now, cfg: cfg, client: Client(cfg.AllowPrivate, cfg.Timeout), events: event.Discard{}}
}

// SetQueue sets the queue (the job system is built after the service).
func (s *Service) SetQueue(q Queue) { s.queue = q }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// EnsureKey creates the first server signing key when there is none, and
// gives every webhook that has no signing key of its own (one created
// before per-webhook keys) a fresh one; it returns whether it created the
// server key.
func (s *Service) EnsureKey(ctx context.Context) (bool, error) {
	keys, err := s.repo.Keys(ctx)
	if err != nil {
		return false, fmt.Errorf("read the webhook server keys: %w", err)
	}
	created := false
	if len(keys) == 0 {
		k, err := NewKey(s.clock())
		if err != nil {
			return false, err
		}
		if err := s.repo.CreateKey(ctx, &k); err != nil {
			return false, fmt.Errorf("create the webhook server key: %w", err)
		}
		created = true
	}
	hooks, err := s.repo.WebhooksWithoutKey(ctx)
	if err != nil {
		return created, fmt.Errorf("list the webhooks without a signing key: %w", err)
	}
	for _, w := range hooks {
		k, err := NewWebhookKey(s.clock())
		if err != nil {
			return created, err
		}
		if err := s.repo.SetWebhookKey(ctx, w.OrganizationID, w.ID, k); err != nil {
			return created, fmt.Errorf("give webhook %d a signing key: %w", w.ID, err)
		}
	}
	return created, nil
}

// WebhookKey returns the webhook whose key GET /v1/webhooks/key shows and
// the keys its receivers should accept, its own first: the webhook named
// by id, or — when id is nil — the organization's only (or first) one.
// NotFound: no such webhook, or the organization has none.
func (s *Service) WebhookKey(ctx context.Context, orgID int64, id *int64) (Webhook, []Key, error) {
	w, err := s.resolve(ctx, orgID, id, false)
	if err != nil {
		return Webhook{}, nil, err
	}
	if w.Key != nil {
		return w, []Key{*w.Key}, nil
	}
	keys, err := s.PublishedKeys(ctx)
	return w, keys, err
}

// resolve reads the webhook named by id or, when id is nil, the
// organization's first webhook (by id); with several, only a read
// (strictOne false) picks the first. NotFound; Invalid: strictOne and the
// organization has several webhooks.
func (s *Service) resolve(ctx context.Context, orgID int64, id *int64, strictOne bool) (Webhook, error) {
	if id != nil {
		return s.repo.Webhook(ctx, orgID, *id, strictOne)
	}
	page, err := s.repo.ListWebhooks(ctx, orgID, investing.PageRequest{Limit: 2})
	if err != nil {
		return Webhook{}, fmt.Errorf("list the organization's webhooks: %w", err)
	}
	switch {
	case len(page.Items) == 0:
		return Webhook{}, errcode.New(errcode.NotFound, "the organization has no webhook: create one with POST /v1/webhooks")
	case strictOne && len(page.Items) > 1:
		msg := fmt.Sprintf("the organization has %d webhooks: name the one to update with webhookId (GET /v1/webhooks lists them)", page.Total)
		return Webhook{}, &errcode.Error{Code: errcode.Invalid, Message: msg, Fields: []errcode.FieldError{{Field: "webhookId", In: "body", Message: msg}}}
	case strictOne:
		return s.repo.Webhook(ctx, orgID, page.Items[0].ID, true)
	}
	return page.Items[0], nil
}

// RotateKey makes a new signing key and retires the current one, which
// stays published for the overlap period.
func (s *Service) RotateKey(ctx context.Context) (Key, error) {
	var k Key
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		keys, err := s.repo.Keys(ctx)
		if err != nil {
			return err
		}
		now := s.clock()
		for _, old := range keys {
			if old.RetiredAt == nil {
				if err := s.repo.RetireKey(ctx, old.ID, now); err != nil {
					return err
				}
			}
		}
		if k, err = NewKey(now); err != nil {
			return err
		}
		return s.repo.CreateKey(ctx, &k)
	})
	return k, errcode.Wrapf(err, "rotate the webhook server key")
}

// PublishedKeys returns the keys receivers should accept, the signing one first.
func (s *Service) PublishedKeys(ctx context.Context) ([]Key, error) {
	keys, err := s.repo.Keys(ctx)
	if err != nil {
		return nil, err
	}
	pub := Published(keys, s.now(), s.cfg.KeyOverlap)
	if len(pub) == 0 {
		return nil, fmt.Errorf("no webhook signing key: start the service once or run `openvest webhook-key rotate`")
	}
	return pub, nil
}

// Create subscribes a URL. Invalid: bad URL or subscription.
func (s *Service) Create(ctx context.Context, orgID int64, url string, subs []string) (Webhook, error) {
	u, err := ValidateURL(url, s.cfg.AllowPrivate)
	if err != nil {
		return Webhook{}, invalid("url", err)
	}
	if err := s.checkDestination(ctx, u); err != nil {
		return Webhook{}, invalid("url", err)
	}
	subs, err = NormalizeSubscriptions(subs, true)
	if err != nil {
		return Webhook{}, invalid("subscriptions", err)
	}
	now := s.clock()
	key, err := NewWebhookKey(now)
	if err != nil {
		return Webhook{}, err
	}
	w := Webhook{OrganizationID: orgID, URL: u, Subscriptions: subs, Status: Active, Key: &key, CreatedAt: now, UpdatedAt: now}
	s.markHooked(orgID) // its WEBHOOK.CREATED is the first delivery
	err = s.repo.WithTx(ctx, func(ctx context.Context) error {
		if err := s.repo.CreateWebhook(ctx, &w); err != nil {
			return err
		}
		TakeNoneActive(ctx, orgID) // an earlier statement's "none" is no longer true
		return s.events.Emit(ctx, orgID, WebhookCreated{w})
	})
	return w, errcode.Wrapf(err, "create webhook of organization %d", orgID)
}

// Update is the input of Update: nil fields stay as they are.
type Update struct {
	ID            *int64 // nil: the organization's only webhook
	URL           *string
	Subscriptions []string // replaces the previous ones when not nil
	Status        *Status
}

// Update changes a webhook: the one in.ID names, or the organization's
// only one. NotFound; Invalid (also: no id and several webhooks).
func (s *Service) Update(ctx context.Context, orgID int64, in Update) (Webhook, error) {
	if in.URL == nil && in.Subscriptions == nil && in.Status == nil {
		return Webhook{}, invalid("body", errors.New("nothing to update: send url, subscriptions or status"))
	}
	var (
		w   Webhook
		url string
	)
	if in.URL != nil { // checked (and looked up) before any row is locked
		var err error
		if url, err = ValidateURL(*in.URL, s.cfg.AllowPrivate); err != nil {
			return w, invalid("url", err)
		}
		if err := s.checkDestination(ctx, url); err != nil {
			return w, invalid("url", err)
		}
	}
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if w, err = s.resolve(ctx, orgID, in.ID, true); err != nil {
			return err
		}
		if in.URL != nil {
			w.URL = url
		}
		if in.Subscriptions != nil {
			if w.Subscriptions, err = NormalizeSubscriptions(in.Subscriptions, false); err != nil {
				return invalid("subscriptions", err)
			}
		}
		if in.Status != nil && *in.Status != w.Status {
			w.Status = *in.Status
			if w.Status == Active {
				TakeNoneActive(ctx, orgID) // an earlier statement's "none" is no longer true
				w.DeactivatedReason = nil
			} else {
				reason := "deactivated through the API"
				w.DeactivatedReason = &reason
			}
		}
		w.UpdatedAt = s.clock()
		if w.Status == Active {
			s.markHooked(orgID)
		}
		if err := s.repo.SaveWebhook(ctx, &w); err != nil {
			return err
		}
		if w.Status != Active {
			if err := s.repo.CancelPending(ctx, orgID, w.ID, w.UpdatedAt); err != nil {
				return err
			}
		}
		return s.events.Emit(ctx, orgID, WebhookUpdated{w})
	})
	return w, errcode.Wrapf(err, "update webhook of organization %d", orgID)
}

// Delete removes a webhook and its deliveries. NotFound.
func (s *Service) Delete(ctx context.Context, orgID, id int64) error {
	return s.repo.DeleteWebhook(ctx, orgID, id)
}

// Webhooks lists the organization's webhooks.
func (s *Service) Webhooks(ctx context.Context, orgID int64, p investing.PageRequest) (investing.Page[Webhook], error) {
	return s.repo.ListWebhooks(ctx, orgID, p)
}

// Deliveries lists a webhook's deliveries. NotFound: no such webhook.
func (s *Service) Deliveries(ctx context.Context, orgID, webhookID int64, state *State, p investing.PageRequest) (investing.Page[Delivery], error) {
	if _, err := s.repo.Webhook(ctx, orgID, webhookID, false); err != nil {
		return investing.Page[Delivery]{}, err
	}
	return s.repo.ListDeliveries(ctx, orgID, webhookID, state, p)
}

// Test queues a WEBHOOK.TEST event to every active webhook.
func (s *Service) Test(ctx context.Context, orgID int64) error {
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		return s.events.Emit(ctx, orgID, TestSent{})
	})
	return errcode.Wrapf(err, "queue the test event of organization %d", orgID)
}

// Retry queues one more attempt of a delivery now. NotFound; Conflict: the
// webhook is not active.
func (s *Service) Retry(ctx context.Context, orgID, webhookID, deliveryID int64) (Delivery, error) {
	var d Delivery
	err := s.repo.WithTx(ctx, func(ctx context.Context) error {
		w, err := s.repo.Webhook(ctx, orgID, webhookID, false)
		if err != nil {
			return err
		}
		if w.Status != Active {
			return errcode.New(errcode.Conflict, "webhook %d is %s: activate it (PUT /v1/webhooks with status ACTIVE) before retrying", w.ID, w.Status)
		}
		if d, err = s.repo.Delivery(ctx, orgID, deliveryID, true); err != nil {
			return err
		}
		if d.WebhookID != webhookID {
			return errcode.New(errcode.NotFound, "delivery %d not found for webhook %d", deliveryID, webhookID)
		}
		now := s.clock()
		d.State, d.NextAttemptAt, d.UpdatedAt = Pending, &now, now
		if err := s.repo.SaveDelivery(ctx, &d); err != nil {
			return err
		}
		return s.queue.EnqueueAttempt(ctx, orgID, d.ID, d.Attempts+1, 0)
	})
	return d, errcode.Wrapf(err, "retry delivery %d of webhook %d", deliveryID, webhookID)
}

func invalid(field string, err error) error {
	return &errcode.Error{Code: errcode.Invalid, Message: err.Error(), Fields: []errcode.FieldError{{Field: field, In: "body", Message: err.Error()}}}
}

// Purge deletes the events and finished deliveries older than the
// retention period (pending deliveries, and the events they carry, stay).
func (s *Service) Purge(ctx context.Context) (int64, error) {
	return s.repo.PurgeBefore(ctx, s.now().Add(-s.cfg.Retention))
}
