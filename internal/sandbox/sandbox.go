// Package sandbox holds the test controls of sandbox organizations that
// span every surface: the reset that empties an organization, and the
// fault rules that make its matching requests and webhook deliveries
// misbehave on purpose. It knows neither HTTP nor the database: the HTTP
// layer applies request faults, the webhook engine delivery faults, and
// the store keeps the rules and deletes the rows.
package sandbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/txn"
)

// Target is what a rule makes misbehave.
type Target string

// The targets.
const (
	Request Target = "request"
	Webhook Target = "webhook"
)

// Action is what a rule does.
type Action string

// The actions: the first four to requests, the last three to deliveries.
const (
	Latency    Action = "latency"
	Status     Action = "status"
	Close      Action = "close"
	Timeout    Action = "timeout"
	Delay      Action = "delay"
	Duplicate  Action = "duplicate"
	OutOfOrder Action = "outOfOrder"
)

// targetOf is the target each action belongs to.
var targetOf = map[Action]Target{
	Latency: Request, Status: Request, Close: Request, Timeout: Request,
	Delay: Webhook, Duplicate: Webhook, OutOfOrder: Webhook,
}

// Limits and defaults of a rule.
const (
	MaxActive         = 50
	DefaultTTL        = time.Hour
	MaxTTL            = 7 * 24 * time.Hour
	DefaultTimeout    = 30 * time.Second
	DefaultOutOfOrder = 2 * time.Second
	// cacheTTL bounds how long a replica serves its cached rules of an
	// organization: another replica's new rule applies here within it.
	cacheTTL = 2 * time.Second
)

// Rule is a fault rule of an organization.
type Rule struct {
	ID             int64
	OrganizationID int64
	Target         Target
	// Requests: OperationID, or Method and Path (the spec's path template).
	OperationID, Method, Path string
	// Webhook deliveries: Event and WebhookID, each optional.
	Event     string
	WebhookID *int64
	Action    Action
	Status    int    // Status
	Message   string // Status (empty: a default naming the rule)
	Latency   time.Duration
	// Times is the count the rule was created with, Remaining what is
	// left of it; both nil for a rule that applies until it expires.
	Times, Remaining *int
	// ProbabilityPPM is the chance of applying per match, in millionths
	// (0: always).
	ProbabilityPPM int
	ExpiresAt      time.Time
	CreatedAt      time.Time
}

// MatchesRequest reports whether r is a request rule for the operation.
func (r Rule) MatchesRequest(operationID, method, pathTemplate string) bool {
	if r.Target != Request {
		return false
	}
	if r.OperationID != "" {
		return r.OperationID == operationID
	}
	return r.Method == method && r.Path == pathTemplate
}

// MatchesDelivery reports whether r is a webhook rule for a delivery of
// event to webhook webhookID.
func (r Rule) MatchesDelivery(event string, webhookID int64) bool {
	return r.Target == Webhook && (r.Event == "" || r.Event == event) && (r.WebhookID == nil || *r.WebhookID == webhookID)
}

// Repository keeps the rules and empties organizations.
type Repository interface {
	// CreateFault inserts r, setting its ID. Conflict: the organization
	// has MaxActive rules active at now.
	CreateFault(ctx context.Context, r *Rule, now time.Time) error
	// Faults lists the organization's rules active at now (not expired,
	// not used up), oldest first.
	Faults(ctx context.Context, orgID int64, now time.Time) ([]Rule, error)
	// DeleteFault deletes an active rule. NotFound.
	DeleteFault(ctx context.Context, orgID, id int64, now time.Time) error
	// ConsumeFault takes one application of a counted rule, atomically
	// (remaining = remaining - 1 where remaining > 0); ok is false when
	// none is left or the rule is gone or expired.
	ConsumeFault(ctx context.Context, orgID, id int64, now time.Time) (remaining int, ok bool, err error)
	// ResetOrganization deletes every resource of the organization (see
	// store.ResetTables) and returns the rows deleted per table.
	ResetOrganization(ctx context.Context, orgID int64) (map[string]int64, error)
	// PurgeFaults deletes the rules, of every organization, expired or
	// used up at now, and returns how many.
	PurgeFaults(ctx context.Context, now time.Time) (int64, error)
}

// Service runs the sandbox controls.
type Service struct {
	repo Repository
	tx   txn.Transactor
	now  func() time.Time
	rand func() float64

	mu    sync.Mutex
	cache map[int64]cached
	// epoch counts invalidations: a load that began before one (a rule
	// created meanwhile) does not store what it read.
	epoch uint64
}

type cached struct {
	rules  []Rule
	loaded time.Time
}

// NewService returns a Service; tx opens the reset's unit of work.
func NewService(repo Repository, tx txn.Transactor, now func() time.Time) *Service {
	return &Service{repo: repo, tx: tx, now: now, rand: rand.Float64, cache: map[int64]cached{}}
}

// NewRule is what CreateFault takes: a Rule without its ID, counts and
// times, and the expiry either as ExpiresAt or as TTL (default an hour).
type NewRule struct {
	Rule
	TTL time.Duration
}

// CreateFault validates and stores a rule. Invalid (naming the field): an
// action of the other target, a missing or superfluous field, an expiry
// in the past or beyond MaxTTL; Conflict: MaxActive rules are active.
func (s *Service) CreateFault(ctx context.Context, orgID int64, in NewRule) (Rule, error) {
	r := in.Rule
	r.ID, r.OrganizationID = 0, orgID
	if r.Target == "" {
		r.Target = Request
	}
	if err := validate(&r); err != nil {
		return Rule{}, err
	}
	now := s.clock()
	r.CreatedAt = now
	switch {
	case !r.ExpiresAt.IsZero() && in.TTL != 0:
		return Rule{}, invalid("ttlSeconds", "give expiresAt or ttlSeconds, not both")
	case !r.ExpiresAt.IsZero():
		if !r.ExpiresAt.After(now) {
			return Rule{}, invalid("expiresAt", "must be in the future")
		}
		if r.ExpiresAt.Sub(now) > MaxTTL {
			return Rule{}, invalid("expiresAt", "must be at most 7 days from now")
		}
	default:
		ttl := in.TTL
		if ttl == 0 {
			ttl = DefaultTTL
		}
		r.ExpiresAt = now.Add(ttl)
	}
	r.ExpiresAt = r.ExpiresAt.UTC().Truncate(time.Second)
	if r.Times != nil {
		n := *r.Times
		r.Remaining = &n
	} else {
		r.Remaining = nil
	}
	if err := s.repo.CreateFault(ctx, &r, now); err != nil {
		return Rule{}, fmt.Errorf("create fault rule: %w", err)
	}
	s.invalidateAfterCommit(ctx, orgID)
	return r, nil
}

func validate(r *Rule) error {
	t, ok := targetOf[r.Action]
	if !ok {
		return invalid("action", "must be one of latency, status, close, timeout, delay, duplicate, outOfOrder")
	}
	if t != r.Target {
		return invalid("action", fmt.Sprintf("%s is an action of target %s, not %s", r.Action, t, r.Target))
	}
	if r.Target == Request {
		if r.Event != "" || r.WebhookID != nil {
			return invalid("event", "event and webhookId match webhook deliveries (target webhook)")
		}
		switch {
		case r.OperationID != "" && (r.Method != "" || r.Path != ""):
			return invalid("operationId", "match by operationId or by method and path, not both")
		case r.OperationID == "" && (r.Method == "") != (r.Path == ""):
			if r.Method == "" {
				return invalid("method", "a path is matched with a method")
			}
			return invalid("path", "a method is matched with a path")
		case r.OperationID == "" && r.Method == "":
			return invalid("operationId", "name the operation: operationId, or method and path")
		}
	} else if r.OperationID != "" || r.Method != "" || r.Path != "" {
		return invalid("operationId", "operationId, method and path match requests (target request); a webhook rule matches by event and webhookId")
	}
	if r.Action == Status && r.Status == 0 {
		return invalid("status", "is required with action status")
	}
	if r.Action != Status && (r.Status != 0 || r.Message != "") {
		return invalid("status", "status and message go with action status only")
	}
	switch r.Action {
	case Latency, Delay:
		if r.Latency <= 0 {
			return invalid("latencyMs", fmt.Sprintf("is required with action %s", r.Action))
		}
	case Timeout:
		if r.Latency == 0 {
			r.Latency = DefaultTimeout
		}
	case OutOfOrder:
		if r.Latency == 0 {
			r.Latency = DefaultOutOfOrder
		}
	default:
		if r.Latency != 0 {
			return invalid("latencyMs", fmt.Sprintf("does not go with action %s", r.Action))
		}
	}
	if r.ProbabilityPPM < 0 || r.ProbabilityPPM > 1_000_000 {
		return invalid("probability", "must be more than 0 and at most 1")
	}
	return nil
}

func invalid(field, msg string) error {
	e := errcode.New(errcode.Invalid, "%s: %s", field, msg)
	e.Fields = []errcode.FieldError{{Field: field, In: "body", Message: msg}}
	return e
}

// Faults lists the organization's active rules, oldest first.
func (s *Service) Faults(ctx context.Context, orgID int64) ([]Rule, error) {
	rules, err := s.repo.Faults(ctx, orgID, s.clock())
	if err != nil {
		return nil, fmt.Errorf("list fault rules: %w", err)
	}
	return rules, nil
}

// DeleteFault deletes an active rule. NotFound.
func (s *Service) DeleteFault(ctx context.Context, orgID, id int64) error {
	if err := s.repo.DeleteFault(ctx, orgID, id, s.clock()); err != nil {
		s.invalidate(orgID)
		return fmt.Errorf("delete fault rule %d: %w", id, err)
	}
	s.invalidateAfterCommit(ctx, orgID)
	return nil
}

// Apply returns the rule that applies to this match, if any: the oldest
// active rule that match accepts, whose probability (if any) comes up and
// of which an application is left (taken atomically). Organizations
// without rules cost a map look-up (the rules are cached for cacheTTL and
// dropped on every change this replica makes).
func (s *Service) Apply(ctx context.Context, orgID int64, match func(Rule) bool) (Rule, bool, error) {
	now := s.clock()
	rules, err := s.rules(ctx, orgID, now)
	if err != nil {
		return Rule{}, false, err
	}
	for _, r := range rules {
		if !r.ExpiresAt.After(now) || !match(r) {
			continue
		}
		if r.ProbabilityPPM > 0 && s.rand()*1_000_000 >= float64(r.ProbabilityPPM) {
			continue
		}
		if r.Times == nil {
			return r, true, nil
		}
		left, ok, err := s.repo.ConsumeFault(ctx, orgID, r.ID, now)
		if err != nil {
			return Rule{}, false, fmt.Errorf("apply fault rule %d: %w", r.ID, err)
		}
		if !ok || left == 0 {
			s.invalidate(orgID) // used up (here or on another replica)
		}
		if ok {
			r.Remaining = &left
			return r, true, nil
		}
	}
	return Rule{}, false, nil
}

// rules are the organization's active rules, from the cache when fresh.
func (s *Service) rules(ctx context.Context, orgID int64, now time.Time) ([]Rule, error) {
	s.mu.Lock()
	c, ok := s.cache[orgID]
	s.mu.Unlock()
	if ok && now.Sub(c.loaded) < cacheTTL && !now.Before(c.loaded) {
		return c.rules, nil
	}
	s.mu.Lock()
	epoch := s.epoch
	s.mu.Unlock()
	rules, err := s.repo.Faults(ctx, orgID, now)
	if err != nil {
		return nil, fmt.Errorf("read fault rules: %w", err)
	}
	s.mu.Lock()
	if len(s.cache) > 10_000 { // bounded: forget everyone, reload on demand
		s.cache = map[int64]cached{}
	}
	if s.epoch == epoch {
		s.cache[orgID] = cached{rules: rules, loaded: now}
	}
	s.mu.Unlock()
	return rules, nil
}

// invalidateAfterCommit drops the cached rules now and again once the
// transaction ctx carries (the request's) commits: a read of the rules
// between the two, which sees them as they were, is not served after it.
func (s *Service) invalidateAfterCommit(ctx context.Context, orgID int64) {
	s.invalidate(orgID)
	txn.AfterCommit(ctx, func() { s.invalidate(orgID) })
}

func (s *Service) invalidate(orgID int64) {
	s.mu.Lock()
	delete(s.cache, orgID)
	s.epoch++
	s.mu.Unlock()
}

// Purge deletes the rules that expired or were used up (the periodic
// purge), and returns how many.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	n, err := s.repo.PurgeFaults(ctx, s.clock())
	if err != nil {
		return 0, fmt.Errorf("purge fault rules: %w", err)
	}
	return n, nil
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Reset deletes every resource of the organization in one transaction,
// keeping its credentials, tokens and signing keys; reseed, when not nil,
// runs in the same transaction afterwards (the demo data). It returns the
// rows deleted per table.
func (s *Service) Reset(ctx context.Context, orgID int64, reseed func(ctx context.Context) error) (map[string]int64, error) {
	var deleted map[string]int64
	err := s.tx.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if deleted, err = s.repo.ResetOrganization(ctx, orgID); err != nil {
			return err
		}
		if reseed != nil {
			return reseed(ctx)
		}
		return nil
	})
	s.invalidateAfterCommit(ctx, orgID) // the request's transaction may carry this one
	if err != nil {
		return nil, fmt.Errorf("reset organization %d: %w", orgID, err)
	}
	return deleted, nil
}
