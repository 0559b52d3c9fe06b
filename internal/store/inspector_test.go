package store_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/inspector"
	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

// inspected is a record of org received at t0 + i milliseconds.
func inspected(org int64, i int, status int) inspector.Record {
	at := t0.Add(time.Duration(i) * time.Millisecond)
	return inspector.Record{
		ID: inspector.NewID(at), OrganizationID: org, RequestID: "req" + uuid.NewString()[:8], ReceivedAt: at,
		Method: "POST", Path: "/v1/customers", Query: "a=1", Route: "/v1/customers", OperationID: "createCustomer",
		Status: status, Latency: 1500 * time.Microsecond,
		Signature:     inspector.Signature{Verdict: inspector.SignatureFailed, KeyID: "k1", Reason: "does not verify", Base: "\"@method\": POST", Components: []string{"@method"}},
		ContentDigest: inspector.DigestVerified, IdempotencyResult: inspector.IdempotencyFirst, IdempotencyKey: "key-" + uuid.NewString(),
		RequestHeaders: map[string]string{"Content-Type": "application/json"}, ResponseHeaders: map[string]string{"X-Request-Id": "r"},
		RequestBody: []byte(`{"firstName":"Ada"}`), RequestBodySize: 19, ResponseBody: []byte{0xff, 0x00, 'x'}, ResponseBodySize: 3,
		ValidationErrors: []errcode.FieldError{{Field: "lastName", In: "body", Message: "is required"}},
	}
}

func TestInspectorRecords(t *testing.T) {
	t.Parallel()
	// PruneAll and PruneOlder span organizations: on databases of its own.
	forEachOwnDatabase(t, func(t *testing.T, s *store.Store) {
		f := setup(t, s)
		repo := s.Inspector()
		var recs []inspector.Record
		for i := range 5 {
			recs = append(recs, inspected(f.org, i, 200+i))
		}
		recs = append(recs, inspected(f.other, 10, 401))
		require.NoError(t, repo.InsertRecords(f.ctx, recs))

		// Full read: every field round-trips, bytes included.
		got, err := repo.Record(f.ctx, f.org, recs[2].ID)
		require.NoError(t, err)
		want := recs[2]
		want.ReceivedAt = want.ReceivedAt.UTC()
		require.Equal(t, want, got)

		// Newest first, without bodies and base, a page at a time.
		page, err := repo.Records(f.ctx, f.org, inspector.Filter{Limit: 3})
		require.NoError(t, err)
		require.Len(t, page, 3)
		require.Equal(t, []uuid.UUID{recs[4].ID, recs[3].ID, recs[2].ID}, ids(page))
		require.Nil(t, page[0].RequestBody)
		require.Empty(t, page[0].Signature.Base)
		require.Equal(t, inspector.SignatureFailed, page[0].Signature.Verdict)
		page, err = repo.Records(f.ctx, f.org, inspector.Filter{Limit: 3, Before: page[2].ID})
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{recs[1].ID, recs[0].ID}, ids(page))

		// Filters.
		for name, tc := range map[string]struct {
			f    inspector.Filter
			want []uuid.UUID
		}{
			"status":         {inspector.Filter{Status: 203}, []uuid.UUID{recs[3].ID}},
			"path prefix":    {inspector.Filter{Path: "/v1/cust"}, ids(reverse(recs[:5]))},
			"other path":     {inspector.Filter{Path: "/v1/accounts"}, nil},
			"operation":      {inspector.Filter{OperationID: "createCustomer", Status: 200}, []uuid.UUID{recs[0].ID}},
			"idempotencyKey": {inspector.Filter{IdempotencyKey: recs[1].IdempotencyKey}, []uuid.UUID{recs[1].ID}},
			"requestId":      {inspector.Filter{RequestID: recs[4].RequestID}, []uuid.UUID{recs[4].ID}},
			"time window":    {inspector.Filter{From: recs[1].ReceivedAt, To: recs[3].ReceivedAt}, []uuid.UUID{recs[2].ID, recs[1].ID}},
		} {
			got, err := repo.Records(f.ctx, f.org, tc.f)
			require.NoError(t, err, name)
			require.Equal(t, tc.want, ids(got), name)
		}

		// Another organization's records are not found, listed or pruned.
		_, err = repo.Record(f.ctx, f.org, recs[5].ID)
		require.True(t, errcode.Is(err, errcode.NotFound), "%v", err)
		_, err = repo.Record(f.ctx, f.other, recs[0].ID)
		require.True(t, errcode.Is(err, errcode.NotFound), "%v", err)
		byID, err := repo.RecordsByID(f.ctx, f.other, []uuid.UUID{recs[0].ID, recs[5].ID})
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{recs[5].ID}, ids(byID))

		// Retention: the newest 2 of the organization stay.
		n, err := repo.PruneOrganization(f.ctx, f.org, 2)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
		left, err := repo.Records(f.ctx, f.org, inspector.Filter{Limit: 100})
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{recs[4].ID, recs[3].ID}, ids(left))
		other, err := repo.Records(f.ctx, f.other, inspector.Filter{})
		require.NoError(t, err)
		require.Len(t, other, 1)
		n, err = repo.PruneOrganization(f.ctx, f.org, 5) // fewer than kept: nothing
		require.NoError(t, err)
		require.Zero(t, n)

		// Every organization beyond 1: this one's newest stays, the other's one too.
		n, err = repo.PruneAll(f.ctx, 1)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		left, err = repo.Records(f.ctx, f.org, inspector.Filter{Limit: 100})
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{recs[4].ID}, ids(left))
		other, err = repo.Records(f.ctx, f.other, inspector.Filter{})
		require.NoError(t, err)
		require.Len(t, other, 1)

		// By age: everything received before the cut, of every organization.
		n, err = repo.PruneOlder(f.ctx, recs[5].ReceivedAt)
		require.NoError(t, err)
		require.GreaterOrEqual(t, n, int64(1))
		left, err = repo.Records(f.ctx, f.org, inspector.Filter{})
		require.NoError(t, err)
		require.Empty(t, left)
		other, err = repo.Records(f.ctx, f.other, inspector.Filter{})
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{recs[5].ID}, ids(other), "received at the cut: kept")
	})
}

func ids(recs []inspector.Record) []uuid.UUID {
	var out []uuid.UUID
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func reverse(recs []inspector.Record) []inspector.Record {
	out := make([]inspector.Record, len(recs))
	for i, r := range recs {
		out[len(recs)-1-i] = r
	}
	return out
}
