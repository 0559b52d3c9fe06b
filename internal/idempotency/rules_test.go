package idempotency_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

// counting is a request body that counts its runs and answers 201 with
// the run's number.
type counting struct{ runs int }

func (c *counting) run(context.Context) idempotency.Response {
	c.runs++
	return idempotency.Response{Status: http.StatusCreated, ContentType: "application/json", Body: []byte{byte('0' + c.runs)}}
}

// TestExpiredKeyRunsAgain: within the TTL a key replays; once its record
// expired the key is free and the request runs again.
func TestExpiredKeyRunsAgain(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		b := setup(t, s)
		now := time.Date(2033, 1, 2, 3, 4, 5, 0, time.UTC)
		svc := idempotency.NewService(b.repo, s, func() time.Time { return now }, time.Hour)
		req := idempotency.Request{OrganizationID: b.org.ID, Key: "expiring", Method: "POST", Path: "/v1/customers", Body: []byte(`{"a":1}`)}
		var c counting

		resp, replayed, err := svc.Do(t.Context(), req, c.run)
		require.NoError(t, err)
		require.False(t, replayed)
		require.Equal(t, "1", string(resp.Body))

		now = now.Add(time.Hour - time.Second)
		resp, replayed, err = svc.Do(t.Context(), req, c.run)
		require.NoError(t, err)
		require.True(t, replayed, "a second before the TTL ends the response is replayed")
		require.Equal(t, "1", string(resp.Body))

		now = now.Add(time.Second)
		resp, replayed, err = svc.Do(t.Context(), req, c.run)
		require.NoError(t, err)
		require.False(t, replayed, "at the TTL the record has expired: the request runs again")
		// The optimistic run finds the expired record, which is deleted and
		// the request run again: run 4 answers.
		require.Equal(t, "4", string(resp.Body))
		rec, err := b.repo.Record(t.Context(), b.org.ID, "expiring")
		require.NoError(t, err)
		require.Equal(t, "4", string(rec.Body), "the new run's response is the key's record")
		require.Equal(t, now.Add(time.Hour), rec.ExpiresAt.UTC(), "with a fresh TTL")
	})
}

// TestKeyIsBoundToMethodPathAndBody: a key replays only for the same
// method, path (with query) and body bytes; anything else is 422 and runs
// nothing.
func TestKeyIsBoundToMethodPathAndBody(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *store.Store) {
		b := setup(t, s)
		svc := idempotency.NewService(b.repo, s, time.Now, time.Hour)
		first := idempotency.Request{OrganizationID: b.org.ID, Key: "bound", Method: "POST", Path: "/v1/customers?x=1", Body: []byte(`{"firstName":"A"}`)}
		var c counting
		_, _, err := svc.Do(t.Context(), first, c.run)
		require.NoError(t, err)

		resp, replayed, err := svc.Do(t.Context(), first, c.run)
		require.NoError(t, err)
		require.True(t, replayed, "the same request replays")
		require.Equal(t, "1", string(resp.Body))

		for name, change := range map[string]func(*idempotency.Request){
			"another method":               func(r *idempotency.Request) { r.Method = "PUT" },
			"another path":                 func(r *idempotency.Request) { r.Path = "/v1/accounts?x=1" },
			"another query":                func(r *idempotency.Request) { r.Path = "/v1/customers?x=2" },
			"another body":                 func(r *idempotency.Request) { r.Body = []byte(`{"firstName":"B"}`) },
			"the same body, one byte more": func(r *idempotency.Request) { r.Body = []byte(`{"firstName":"A"} `) },
			"no body":                      func(r *idempotency.Request) { r.Body = nil },
		} {
			req := first
			change(&req)
			_, replayed, err := svc.Do(t.Context(), req, c.run)
			require.True(t, errcode.Is(err, errcode.Unprocessable), "%s: %v", name, err)
			require.ErrorContains(t, err, `idempotency key "bound" was first used for POST /v1/customers?x=1 with a different request`, name)
			require.False(t, replayed, name)
		}
		require.Equal(t, 1+1+6, c.runs, "the replay and each refused request ran optimistically and were rolled back")
		rec, err := b.repo.Record(t.Context(), b.org.ID, "bound")
		require.NoError(t, err)
		require.Equal(t, "1", string(rec.Body), "the key keeps its first response")
	})
}
