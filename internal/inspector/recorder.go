package inspector

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/metrics"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	// Recorded counts the records written.
	Recorded = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "inspector", Name: "recorded_total",
		Help: "Requests of sandbox organizations recorded by the request inspector.",
	})
	// Dropped counts the captures dropped because the recorder's buffer was full.
	Dropped = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "inspector", Name: "dropped_total",
		Help: "Requests the request inspector did not record: its buffer was full.",
	})
	// WriteErrors counts the records lost to a failed insert.
	WriteErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "openvest", Subsystem: "inspector", Name: "write_errors_total",
		Help: "Records the request inspector failed to write (each failed batch counts its records).",
	})
)

func init() { metrics.Registry.MustRegister(Recorded, Dropped, WriteErrors) }

// Capture is what the HTTP layer hands over once a request is answered:
// the record's fields so far, and the headers and bodies as they were
// (the writer redacts and caps them, off the request's path).
type Capture struct {
	Record
	RequestHeader, ResponseHeader http.Header
	RequestBody, ResponseBody     []byte
}

// Notifier tells the other replicas about new records (PostgreSQL NOTIFY).
type Notifier interface {
	NotifyInspector(ctx context.Context, payload string) error
}

// Options tune a Recorder.
type Options struct {
	Buffer int // captures waiting to be written (default 4096); beyond, dropped
	Batch  int // records per insert at most (default 200)
	// Gather is how long the writer waits for more captures after the
	// first of a batch (default 25ms): fewer, larger inserts.
	Gather     time.Duration
	MaxRecords int           // kept per organization (default 1000)
	MaxAge     time.Duration // kept at most this long (default 24h)
	Now        func() time.Time
	Log        *slog.Logger
	Notifier   Notifier // nil: one replica
}

// Recorder writes captures asynchronously.
type Recorder struct {
	repo  Repository
	hub   *Hub
	opts  Options
	ch    chan *Capture
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	self  string // this replica's name in notifications
	since map[int64]int
	last  map[int64]time.Time // each organization's last prune
}

// NewRecorder starts a recorder's writer goroutine; Close stops it.
func NewRecorder(repo Repository, hub *Hub, opts Options) *Recorder {
	if opts.Buffer <= 0 {
		opts.Buffer = 4096
	}
	if opts.Batch <= 0 {
		opts.Batch = 200
	}
	if opts.Gather <= 0 {
		opts.Gather = 25 * time.Millisecond
	}
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = 1000
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	r := &Recorder{repo: repo, hub: hub, opts: opts, ch: make(chan *Capture, opts.Buffer),
		stop: make(chan struct{}), done: make(chan struct{}), self: uuid.NewString()[:8], since: map[int64]int{}, last: map[int64]time.Time{}}
	go r.run()
	return r
}

// Hub is the recorder's fan-out to live subscribers.
func (r *Recorder) Hub() *Hub { return r.hub }

// Records lists an organization's records (Repository.Records).
func (r *Recorder) Records(ctx context.Context, orgID int64, f Filter) ([]Record, error) {
	return r.repo.Records(ctx, orgID, f)
}

// Record reads one of an organization's records; errcode.NotFound when it is not one.
func (r *Recorder) Record(ctx context.Context, orgID int64, id uuid.UUID) (Record, error) {
	return r.repo.Record(ctx, orgID, id)
}

// Capture queues c for writing without ever waiting: when the buffer is
// full, c is dropped and counted (openvest_inspector_dropped_total).
func (r *Recorder) Capture(c *Capture) {
	select {
	case r.ch <- c:
	default:
		Dropped.Inc()
	}
}

// Close writes what is buffered and stops the writer, waiting at most
// until ctx ends.
func (r *Recorder) Close(ctx context.Context) error {
	r.once.Do(func() { close(r.stop) })
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop the request inspector's writer: %w", ctx.Err())
	}
}

func (r *Recorder) run() {
	defer close(r.done)
	batch := make([]*Capture, 0, r.opts.Batch)
	for {
		select {
		case c := <-r.ch:
			batch = append(batch[:0], c)
			gather := time.NewTimer(r.opts.Gather)
		more:
			for len(batch) < r.opts.Batch {
				select {
				case c := <-r.ch:
					batch = append(batch, c)
				case <-gather.C:
					break more
				case <-r.stop:
					break more // Close drains the rest
				}
			}
			gather.Stop()
			r.write(batch)
		case <-r.stop:
			for {
				batch = batch[:0]
			drain:
				for len(batch) < r.opts.Batch {
					select {
					case c := <-r.ch:
						batch = append(batch, c)
					default:
						break drain
					}
				}
				if len(batch) == 0 {
					return
				}
				r.write(batch)
			}
		}
	}
}

// write prepares, inserts, fans out and prunes one batch. A failure is
// logged and counted, never returned to anyone.
func (r *Recorder) write(batch []*Capture) {
	records := make([]Record, len(batch))
	for i, c := range batch {
		records[i] = prepare(c)
	}
	// Each organization is pruned to its newest MaxRecords once a tenth of
	// that has been added since its last prune, at most once a second
	// (and periodically, Prune); in the insert's transaction, with the
	// notification: one commit.
	every := max(r.opts.MaxRecords/10, 1)
	for _, rec := range records {
		r.since[rec.OrganizationID]++
	}
	now := time.Now()
	var prune []int64
	for org, n := range r.since {
		if n >= every && now.Sub(r.last[org]) >= time.Second {
			prune = append(prune, org)
			delete(r.since, org)
			r.last[org] = now
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := r.repo.WithTx(ctx, func(ctx context.Context) error {
		if err := r.repo.InsertRecords(ctx, records); err != nil {
			return err
		}
		for _, org := range prune {
			if _, err := r.repo.PruneOrganization(ctx, org, r.opts.MaxRecords); err != nil {
				return err
			}
		}
		if r.opts.Notifier != nil {
			for _, p := range notifications(r.self, records) {
				if err := r.opts.Notifier.NotifyInspector(ctx, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		WriteErrors.Add(float64(len(records)))
		r.opts.Log.Warn("request inspector: write records", "count", len(records), "error", err.Error())
		return
	}
	Recorded.Add(float64(len(records)))
	r.hub.Publish(records)
}

// Prune deletes the records past the retention: older than MaxAge, and
// each organization's beyond its newest MaxRecords (a periodic task).
func (r *Recorder) Prune(ctx context.Context) (int64, error) {
	old, err := r.repo.PruneOlder(ctx, r.opts.Now().Add(-r.opts.MaxAge))
	if err != nil {
		return old, fmt.Errorf("prune inspected requests older than %s: %w", r.opts.MaxAge, err)
	}
	extra, err := r.repo.PruneAll(ctx, r.opts.MaxRecords)
	if err != nil {
		return old + extra, fmt.Errorf("prune inspected requests beyond %d per organization: %w", r.opts.MaxRecords, err)
	}
	return old + extra, nil
}

// prepare turns a capture into the record to store: headers flattened,
// secrets redacted, bodies capped.
func prepare(c *Capture) Record {
	rec := c.Record
	rec.RequestHeaders = Headers(c.RequestHeader)
	rec.ResponseHeaders = Headers(c.ResponseHeader)
	// A secret header's value may come back elsewhere: the bearer token
	// is a line of the signature base, which a refusal also quotes.
	secrets := secretValues(c.RequestHeader)
	rec.Signature.Base = hide(secrets, rec.Signature.Base)
	rec.RequestBodySize = int64(len(c.RequestBody))
	rec.RequestBody, rec.RequestBodyTruncated = Cap(hideBytes(secrets, RedactBody(c.RequestHeader.Get("Content-Type"), c.RequestBody)))
	if rec.ResponseBodySize == 0 {
		rec.ResponseBodySize = int64(len(c.ResponseBody))
	}
	body := hideBytes(secrets, RedactBody(c.ResponseHeader.Get("Content-Type"), c.ResponseBody))
	rec.ResponseBody, rec.ResponseBodyTruncated = Cap(body)
	rec.ResponseBodyTruncated = rec.ResponseBodyTruncated || rec.ResponseBodySize > int64(len(c.ResponseBody))
	if rec.Signature.Verdict == "" {
		rec.Signature.Verdict = SignatureUnchecked
	}
	if rec.ContentDigest == "" {
		rec.ContentDigest = DigestAbsent
	}
	if rec.IdempotencyResult == "" {
		rec.IdempotencyResult = IdempotencyNone
	}
	return rec
}

// secretValues returns the values of the secret headers of h (a bearer
// token without its scheme), the ones long enough to look for elsewhere.
func secretValues(h http.Header) []string {
	var out []string
	for k, vs := range h {
		if !secretName(k) {
			continue
		}
		for _, v := range vs {
			if _, token, ok := strings.Cut(v, " "); ok { // a scheme stays: "Bearer [REDACTED]"
				v = token
			}
			if len(v) >= 8 {
				out = append(out, v)
			}
		}
	}
	return out
}

// hide replaces every secret in s with Redacted.
func hide(secrets []string, s string) string {
	for _, v := range secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Redacted)
		}
	}
	return s
}

// hideBytes is hide for a body, which it copies only when it changes.
func hideBytes(secrets []string, b []byte) []byte {
	for _, v := range secrets {
		if bytes.Contains(b, []byte(v)) {
			b = bytes.ReplaceAll(b, []byte(v), []byte(Redacted))
		}
	}
	return b
}

// notifications are the payloads telling other replicas of records:
// "<replica>|<org>:<id>,<id>;<org>:<id>", each under PostgreSQL's 8000-byte limit.
func notifications(self string, records []Record) []string {
	byOrg := map[int64][]string{}
	var orgs []int64
	for _, r := range records {
		if _, ok := byOrg[r.OrganizationID]; !ok {
			orgs = append(orgs, r.OrganizationID)
		}
		byOrg[r.OrganizationID] = append(byOrg[r.OrganizationID], r.ID.String())
	}
	var out, groups []string
	size := 0
	flush := func() {
		if len(groups) > 0 {
			out = append(out, self+"|"+strings.Join(groups, ";"))
			groups, size = nil, 0
		}
	}
	for _, org := range orgs {
		ids := byOrg[org]
		for len(ids) > 0 {
			n := min(len(ids), 150) // 150 ids of 37 bytes: about 5.5 KB
			if size+n*37 > 7000 {
				flush()
			}
			g := strconv.FormatInt(org, 10) + ":" + strings.Join(ids[:n], ",")
			groups, size = append(groups, g), size+len(g)+1
			ids = ids[n:]
		}
	}
	flush()
	return out
}

// Received handles a notification from another replica: the records it
// names of organizations someone here watches are read and fanned out.
// A notification of this replica's own is ignored (its records were
// fanned out as they were written).
func (r *Recorder) Received(payload string) {
	self, rest, ok := strings.Cut(payload, "|")
	if !ok || self == r.self {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, group := range strings.Split(rest, ";") {
		orgText, list, ok := strings.Cut(group, ":")
		org, err := strconv.ParseInt(orgText, 10, 64)
		if !ok || err != nil || !r.hub.Watching(org) {
			continue
		}
		var ids []uuid.UUID
		for _, s := range strings.Split(list, ",") {
			if id, err := uuid.Parse(s); err == nil {
				ids = append(ids, id)
			}
		}
		records, err := r.repo.RecordsByID(ctx, org, ids)
		if err != nil {
			r.opts.Log.Warn("request inspector: read the records another replica wrote", "organization_id", org, "error", err.Error())
			continue
		}
		r.hub.Publish(records)
	}
}

// Hub fans records out to the live subscribers of their organization.
type Hub struct {
	mu     sync.Mutex
	subs   map[int64]map[*Subscription]struct{}
	done   chan struct{}
	closed bool
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[int64]map[*Subscription]struct{}{}, done: make(chan struct{})}
}

// Close tells every subscriber to stop (the server is shutting down:
// live tails end, so that their connections do not hold it up).
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// Done is closed when the hub is (see Close).
func (h *Hub) Done() <-chan struct{} { return h.done }

// Subscription receives an organization's new records that pass its filter.
type Subscription struct {
	C      chan Record
	org    int64
	filter Filter
	hub    *Hub
}

// Subscribe starts a subscription; Close ends it.
func (h *Hub) Subscribe(orgID int64, f Filter) *Subscription {
	s := &Subscription{C: make(chan Record, 256), org: orgID, filter: f, hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[orgID] == nil {
		h.subs[orgID] = map[*Subscription]struct{}{}
	}
	h.subs[orgID][s] = struct{}{}
	return s
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	delete(s.hub.subs[s.org], s)
	if len(s.hub.subs[s.org]) == 0 {
		delete(s.hub.subs, s.org)
	}
}

// Watching reports whether the organization has subscribers here.
func (h *Hub) Watching(orgID int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[orgID]) > 0
}

// Publish hands each record to its organization's subscribers, never
// waiting: a subscriber whose buffer is full misses it.
func (h *Hub) Publish(records []Record) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range records {
		for s := range h.subs[records[i].OrganizationID] {
			if !s.filter.Matches(&records[i]) {
				continue
			}
			select {
			case s.C <- records[i]:
			default:
			}
		}
	}
}
