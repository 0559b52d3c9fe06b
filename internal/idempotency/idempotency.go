// Package idempotency makes retried mutations safe: the first response to
// an idempotency key is stored in the same database transaction as the
// change it reports, and replayed to every later request with that key.
//
// Protocol, per organization and key:
//
//   - The request runs in a transaction, and a 2xx response is inserted as
//     the key's record in that same transaction, so a crash leaves neither
//     or both.
//   - When the key is already taken (a retry, or a concurrent duplicate
//     that blocked on the insert until the first committed: the database's
//     unique key does the waiting), everything the request did is rolled
//     back and the stored response is replayed, or 422 answered when the
//     request differs: an effect never happens twice. Running first and
//     checking at the end costs a retry some wasted work and saves every
//     first request a round trip.
//   - A 4xx response rolls the change back and is then stored on its own,
//     so that retries replay it too. A 5xx response is not stored: a retry
//     runs again.
//   - The same key with another method, path or body answers 422.
//   - Records expire after a TTL (24 h by default) and are purged.
package idempotency

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/txn"
)

// Record is a key's request fingerprint and stored response.
type Record struct {
	OrganizationID int64
	Key            string
	Method         string
	Path           string
	RequestHash    []byte
	Status         int
	ContentType    string
	Body           []byte
	CreatedAt      time.Time
	ExpiresAt      time.Time
}

// Repository stores records.
type Repository interface {
	// Insert inserts r unless a record with its key exists, waiting for an
	// uncommitted insert of the same key to end. It reports whether it inserted.
	Insert(ctx context.Context, r *Record) (bool, error)
	// Record reads a committed record. NotFound.
	Record(ctx context.Context, orgID int64, key string) (Record, error)
	// Delete removes a record.
	Delete(ctx context.Context, orgID int64, key string) error
	// Purge deletes the records that expired before t.
	Purge(ctx context.Context, t time.Time) (int64, error)
}

// Service runs requests under idempotency keys.
type Service struct {
	repo Repository
	tx   txn.Transactor
	now  func() time.Time
	ttl  time.Duration
}

// NewService returns a Service whose records live for ttl.
func NewService(repo Repository, tx txn.Transactor, now func() time.Time, ttl time.Duration) *Service {
	return &Service{repo: repo, tx: tx, now: now, ttl: ttl}
}

// TTL is how long a stored response is replayed.
func (s *Service) TTL() time.Duration { return s.ttl }

// Request identifies a request.
type Request struct {
	OrganizationID int64
	Key            string
	Method         string
	Path           string // path and query
	Body           []byte
}

// Response is a response to store or replay.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
	// Transient marks a failed run whose cause was a conflict with a
	// concurrent transaction (a deadlock, a serialization failure): Do
	// rolls it back and runs fn again, a few times, before answering it.
	Transient bool
}

// transientRuns bounds the runs of fn that end Transient.
const transientRuns = 4

var (
	errExists   = errors.New("idempotency key exists")
	errRollback = errors.New("response is not a success")
)

// Do runs fn, in a transaction its context carries, at most once per key:
// it returns fn's response, or the stored response of an earlier request
// with the same key and replayed=true. Unprocessable: the key was used for
// a different request.
func (s *Service) Do(ctx context.Context, req Request, fn func(ctx context.Context) Response) (resp Response, replayed bool, err error) {
	hash := fingerprint(req)
	transient := 0
	for attempt := 0; attempt < 3; attempt++ {
		now := s.now().UTC().Truncate(time.Microsecond)
		rec := Record{
			OrganizationID: req.OrganizationID, Key: req.Key, Method: req.Method, Path: req.Path,
			RequestHash: hash, CreatedAt: now, ExpiresAt: now.Add(s.ttl),
		}
		// Optimistically run first: a retry is rare, and what it runs is
		// rolled back when its key turns out to be taken.
		err = s.tx.WithTx(ctx, func(ctx context.Context) error {
			resp = fn(ctx)
			if resp.Status < 200 || resp.Status > 299 {
				return errRollback
			}
			return s.insert(ctx, &rec, resp)
		})
		if errors.Is(err, errRollback) && resp.Transient && transient < transientRuns-1 {
			// Lost a race with a concurrent transaction: everything fn did
			// is rolled back, so run it again after a short pause.
			transient++
			attempt--
			select {
			case <-ctx.Done():
				return resp, false, nil
			case <-time.After(time.Duration(5<<transient) * time.Millisecond):
			}
			continue
		}
		if errors.Is(err, errRollback) {
			if resp.Status >= 500 {
				return resp, false, nil // not stored: a retry runs again
			}
			// Store the refusal on its own; an earlier request with the
			// same key wins, and is replayed.
			err = s.tx.WithTx(ctx, func(ctx context.Context) error { return s.insert(ctx, &rec, resp) })
		}
		if !errors.Is(err, errExists) {
			return resp, false, errcode.Wrapf(err, "store the response to idempotency key %q", req.Key)
		}
		prev, found, err := s.stored(ctx, req, hash)
		if err != nil || found {
			return prev, found, errcode.Wrapf(err, "read the response stored under idempotency key %q", req.Key)
		}
	}
	return Response{}, false, errcode.New(errcode.Conflict, "idempotency key %q is being reused concurrently; retry the request", req.Key)
}

// insert stores resp as rec's response; errExists when the key is taken.
func (s *Service) insert(ctx context.Context, rec *Record, resp Response) error {
	rec.Status, rec.ContentType, rec.Body = resp.Status, resp.ContentType, resp.Body
	inserted, err := s.repo.Insert(ctx, rec)
	if err == nil && !inserted {
		err = errExists
	}
	return err
}

// stored returns the committed response to req's key, if any: found is
// true for a replay. An expired record is deleted. Unprocessable: the key
// belongs to another request.
func (s *Service) stored(ctx context.Context, req Request, hash []byte) (Response, bool, error) {
	prev, err := s.repo.Record(ctx, req.OrganizationID, req.Key)
	if errcode.Is(err, errcode.NotFound) {
		return Response{}, false, nil
	}
	if err != nil {
		return Response{}, false, err
	}
	if !prev.ExpiresAt.After(s.now()) {
		return Response{}, false, s.repo.Delete(ctx, req.OrganizationID, req.Key)
	}
	if prev.Method != req.Method || prev.Path != req.Path || string(prev.RequestHash) != string(hash) {
		return Response{}, false, errcode.New(errcode.Unprocessable,
			"idempotency key %q was first used for %s %s with a different request; send a new key for a new request", req.Key, prev.Method, prev.Path)
	}
	return Response{Status: prev.Status, ContentType: prev.ContentType, Body: prev.Body}, true, nil
}

// Purge deletes expired records and returns how many.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	return s.repo.Purge(ctx, s.now())
}

func fingerprint(r Request) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.Path + "\n"))
	h.Write(r.Body)
	return h.Sum(nil)
}

// Mutating reports whether method changes state (and so takes a key).
func Mutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}
