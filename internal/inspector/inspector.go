// Package inspector records the API requests of sandbox organizations: what
// arrived, how the server judged it (validation, signature, Content-Digest,
// idempotency) and what it answered. Recording never slows or fails the
// request it records: the HTTP layer hands a Capture to a Recorder, whose
// bounded buffer a writer goroutine drains in batches (a full buffer drops
// the capture and counts it); the writer redacts secrets, caps bodies,
// inserts the batch, prunes each organization to its retention and fans the
// records out to live subscribers (Hub), on every replica through a
// Notifier.
package inspector

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
)

// The signature verdicts.
const (
	SignatureUnsigned  = "unsigned"
	SignatureVerified  = "verified"
	SignatureFailed    = "failed"
	SignatureMissing   = "missing"
	SignatureUnchecked = "unchecked"
)

// The Content-Digest verdicts.
const (
	DigestAbsent   = "absent"
	DigestVerified = "verified"
	DigestFailed   = "failed"
)

// The idempotency outcomes.
const (
	IdempotencyFirst    = "first"
	IdempotencyReplayed = "replayed"
	IdempotencyConflict = "conflict"
	IdempotencyNone     = "none"
)

// BodyLimit is how much of each body a record keeps.
const BodyLimit = 64 << 10

// Redacted replaces the value of a secret.
const Redacted = "[REDACTED]"

// Signature is the signature check of a request.
type Signature struct {
	Verdict    string   `json:"verdict"`
	KeyID      string   `json:"keyId,omitempty"`
	Form       string   `json:"form,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Base       string   `json:"base,omitempty"`
	Components []string `json:"components,omitempty"`
}

// Record is one recorded request.
type Record struct {
	ID             uuid.UUID
	OrganizationID int64
	RequestID      string // X-Request-Id of the answer
	ReceivedAt     time.Time
	Method         string
	Path           string
	Query          string
	Route          string // path template; empty when none matched
	OperationID    string
	Status         int
	Latency        time.Duration

	Signature         Signature
	ContentDigest     string
	IdempotencyResult string
	IdempotencyKey    string
	Fault             string // what a fault rule injected, when one did

	RequestHeaders, ResponseHeaders             map[string]string
	RequestBody, ResponseBody                   []byte // redacted, at most BodyLimit
	RequestBodySize, ResponseBodySize           int64
	RequestBodyTruncated, ResponseBodyTruncated bool
	ValidationErrors                            []errcode.FieldError
}

// Filter selects records; zero fields select everything. Before is the
// cursor: only records older than it (ids are time-ordered).
type Filter struct {
	Status         int
	Path           string // prefix
	OperationID    string
	IdempotencyKey string
	RequestID      string
	From, To       time.Time // From inclusive, To exclusive (milliseconds)
	Before         uuid.UUID
	Limit          int
}

// Matches reports whether r passes the filter's field conditions (not the
// cursor, the time window or the limit): what a live stream applies.
func (f Filter) Matches(r *Record) bool {
	switch {
	case f.Status != 0 && r.Status != f.Status,
		f.Path != "" && (len(r.Path) < len(f.Path) || r.Path[:len(f.Path)] != f.Path),
		f.OperationID != "" && r.OperationID != f.OperationID,
		f.IdempotencyKey != "" && r.IdempotencyKey != f.IdempotencyKey,
		f.RequestID != "" && r.RequestID != f.RequestID:
		return false
	}
	return true
}

// Repository stores records.
type Repository interface {
	// WithTx runs fn in one transaction that the calls made with its
	// context join.
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
	// InsertRecords inserts the records (of any organizations) at once.
	InsertRecords(ctx context.Context, records []Record) error
	// Records lists an organization's records, newest first, without
	// their headers and bodies, at most f.Limit of them.
	Records(ctx context.Context, orgID int64, f Filter) ([]Record, error)
	// RecordsByID reads an organization's records by id, without headers and bodies.
	RecordsByID(ctx context.Context, orgID int64, ids []uuid.UUID) ([]Record, error)
	// Record reads one record in full; errcode.NotFound when it is not the organization's.
	Record(ctx context.Context, orgID int64, id uuid.UUID) (Record, error)
	// PruneOrganization deletes the organization's records beyond the newest keep.
	PruneOrganization(ctx context.Context, orgID int64, keep int) (int64, error)
	// PruneOlder deletes every organization's records received before t.
	PruneOlder(ctx context.Context, t time.Time) (int64, error)
	// PruneAll applies PruneOrganization to every organization with more than keep records.
	PruneAll(ctx context.Context, keep int) (int64, error)
}

// TimeFloor is the smallest record id of the millisecond of t: ids are
// UUIDv7, their first 48 bits the unix milliseconds of ReceivedAt.
func TimeFloor(t time.Time) uuid.UUID {
	var id uuid.UUID
	ms := uint64(t.UnixMilli())
	id[0], id[1], id[2], id[3], id[4], id[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	return id
}

var ids struct {
	sync.Mutex
	ms  int64
	seq uint16
}

// NewID returns a UUIDv7 for a request received at t: time-ordered, and
// increasing within the process for requests of one millisecond (a
// 12-bit counter in rand_a, RFC 9562 §6.2 method 1). A time before the
// latest one seen (a clock moved back) gets an id of its own time.
func NewID(t time.Time) uuid.UUID {
	ms := t.UnixMilli()
	var id uuid.UUID
	_, _ = rand.Read(id[6:])
	seq := binary.BigEndian.Uint16(id[6:8]) & 0x0fff
	ids.Lock()
	switch {
	case ms == ids.ms && ids.seq < 0x0fff:
		ids.seq++
		seq = ids.seq
	case ms > ids.ms:
		ids.ms, ids.seq = ms, 0
		seq = 0
	}
	ids.Unlock()
	binary.BigEndian.PutUint64(id[0:8], uint64(ms)<<16|0x7000|uint64(seq))
	id[8] = id[8]&0x3f | 0x80 // the RFC 9562 variant
	return id
}
