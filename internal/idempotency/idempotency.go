// Package idempotency makes retried mutations safe: the first response to
// an idempotency key is stored in the same database transaction as the
// change it reports, and replayed to every later request with that key.
//
// Protocol, per organization and key:
//
//   - The key is claimed by inserting its record inside the request's
//     transaction. A concurrent request with the same key blocks on that
//     insert until the first commits or rolls back (the database's unique
//     key does the waiting), then replays the stored response: duplicates
//     in flight wait and replay, they never run twice.
//   - A 2xx response is stored in the same transaction as the change, so a
//     crash leaves neither or both.
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
	// Claim inserts r unless a record with its key exists, waiting for an
	// uncommitted insert of the same key to end. It reports whether it inserted.
	Claim(ctx context.Context, r *Record) (bool, error)
	// Record reads a committed record. NotFound.
	Record(ctx context.Context, orgID int64, key string) (Record, error)
	// Complete stores r's response.
	Complete(ctx context.Context, r *Record) error
	// Delete removes a record.
	Delete(ctx context.Context, orgID int64, key string) error
	// Purge deletes the records that expired before t.
	Purge(ctx context.Context, t time.Time) (int64, error)
}

// Transactor runs a function in one database transaction carried by its context.
type Transactor interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Service runs requests under idempotency keys.
type Service struct {
	repo Repository
	tx   Transactor
	now  func() time.Time
	ttl  time.Duration
}

// NewService returns a Service whose records live for ttl.
func NewService(repo Repository, tx Transactor, now func() time.Time, ttl time.Duration) *Service {
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
}

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
	for attempt := 0; attempt < 3; attempt++ {
		now := s.now().UTC().Truncate(time.Microsecond)
		rec := Record{
			OrganizationID: req.OrganizationID, Key: req.Key, Method: req.Method, Path: req.Path,
			RequestHash: hash, CreatedAt: now, ExpiresAt: now.Add(s.ttl),
		}
		err = s.tx.WithTx(ctx, func(ctx context.Context) error {
			claimed, err := s.repo.Claim(ctx, &rec)
			if err != nil {
				return err
			}
			if !claimed {
				return errExists
			}
			resp = fn(ctx)
			if resp.Status < 200 || resp.Status > 299 {
				return errRollback
			}
			rec.Status, rec.ContentType, rec.Body = resp.Status, resp.ContentType, resp.Body
			return s.repo.Complete(ctx, &rec)
		})
		switch {
		case err == nil:
			return resp, false, nil
		case errors.Is(err, errRollback):
			if resp.Status < 500 {
				s.storeFailure(ctx, rec, resp)
			}
			return resp, false, nil
		case !errors.Is(err, errExists):
			return Response{}, false, err
		}
		prev, err := s.repo.Record(ctx, req.OrganizationID, req.Key)
		if errcode.Is(err, errcode.NotFound) {
			continue // deleted meanwhile: claim again
		}
		if err != nil {
			return Response{}, false, err
		}
		if !prev.ExpiresAt.After(s.now()) {
			if err := s.repo.Delete(ctx, req.OrganizationID, req.Key); err != nil {
				return Response{}, false, err
			}
			continue
		}
		if prev.Method != req.Method || prev.Path != req.Path || string(prev.RequestHash) != string(hash) {
			return Response{}, false, errcode.New(errcode.Unprocessable,
				"idempotency key %q was first used for %s %s with a different request; send a new key for a new request", req.Key, prev.Method, prev.Path)
		}
		return Response{Status: prev.Status, ContentType: prev.ContentType, Body: prev.Body}, true, nil
	}
	return Response{}, false, errcode.New(errcode.Conflict, "idempotency key %q is being reused concurrently; retry the request", req.Key)
}

// storeFailure records a non-2xx response after its transaction rolled
// back; if another request claimed the key meanwhile, that one wins.
func (s *Service) storeFailure(ctx context.Context, rec Record, resp Response) {
	rec.Status, rec.ContentType, rec.Body = resp.Status, resp.ContentType, resp.Body
	_ = s.tx.WithTx(ctx, func(ctx context.Context) error {
		claimed, err := s.repo.Claim(ctx, &rec)
		if err != nil || !claimed {
			return err
		}
		return s.repo.Complete(ctx, &rec)
	})
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
