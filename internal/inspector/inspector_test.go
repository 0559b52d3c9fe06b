package inspector

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

func TestRedactBody(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ contentType, in, want string }{
		"json secrets, other bytes kept": {"application/json",
			`{"clientId": "c1", "clientSecret" : "s3cr3t", "nested": {"token":"abc", "tokenId": 7, "tokenType": "Bearer"}, "list": [{"password": "p"}]}`,
			`{"clientId": "c1", "clientSecret" : "[REDACTED]", "nested": {"token":"[REDACTED]", "tokenId": 7, "tokenType": "Bearer"}, "list": [{"password": "[REDACTED]"}]}`},
		"json number and null secrets":              {"application/json; charset=utf-8", `{"pin":1234,"refresh_token":null}`, `{"pin":"[REDACTED]","refresh_token":"[REDACTED]"}`},
		"json object under a secret name is walked": {"application/json", `{"secret":{"a":1}}`, `{"secret":{"a":1}}`},
		"json cut short":                            {"application/json", `{"client_secret":"s3cr3t","more":"x`, `{"client_secret":"[REDACTED]","more":"x`},
		"form":                                      {"application/x-www-form-urlencoded", "clientId=c1&clientSecret=s%2F3&client_secret=x&grant_type=client_credentials", "clientId=c1&clientSecret=[REDACTED]&client_secret=[REDACTED]&grant_type=client_credentials"},
		"other types untouched":                     {"text/plain", "token=abc", "token=abc"},
		"no secrets, same bytes":                    {"application/json", `{ "firstName" : "Ada" }`, `{ "firstName" : "Ada" }`},
	} {
		require.Equal(t, tc.want, string(RedactBody(tc.contentType, []byte(tc.in))), name)
	}
}

func TestHeadersRedacted(t *testing.T) {
	t.Parallel()
	h := Headers(http.Header{
		"Authorization": {"Bearer abc"}, "Cookie": {"a=b"}, "X-Api-Key": {"k"}, "X-Client-Secret": {"s"},
		"X-Client-Id": {"c1"}, "X-Idempotency-Key": {"k1"}, "Signature-Input": {"sig1=()", "sig2=()"},
	})
	require.Equal(t, map[string]string{
		"Authorization": Redacted, "Cookie": Redacted, "X-Api-Key": Redacted, "X-Client-Secret": Redacted,
		"X-Client-Id": "c1", "X-Idempotency-Key": "k1", "Signature-Input": "sig1=(), sig2=()",
	}, h)
}

func TestCap(t *testing.T) {
	t.Parallel()
	small := []byte("abc")
	got, cut := Cap(small)
	require.False(t, cut)
	require.Equal(t, small, got)
	text := []byte(strings.Repeat("é", BodyLimit)) // 2 bytes each
	got, cut = Cap(append([]byte("x"), text...))   // odd: the limit falls inside a character
	require.True(t, cut)
	require.Equal(t, BodyLimit-1, len(got))
}

func TestNewIDOrdered(t *testing.T) {
	t.Parallel()
	ids.Lock()
	at := time.UnixMilli(max(ids.ms, time.Now().UnixMilli()) + 1000).UTC() // after any id made so far
	ids.Unlock()
	prev := NewID(at)
	require.EqualValues(t, 7, prev.Version())
	for range 100 {
		id := NewID(at) // the same millisecond
		require.Positive(t, strings.Compare(id.String(), prev.String()))
		prev = id
	}
	later := NewID(at.Add(time.Millisecond))
	require.Positive(t, strings.Compare(later.String(), prev.String()))
	require.Negative(t, strings.Compare(TimeFloor(at).String(), prev.String()))
	require.Positive(t, strings.Compare(TimeFloor(at.Add(time.Millisecond)).String(), prev.String()))
}

// blockingRepo blocks InsertRecords until released, and remembers what it got.
type blockingRepo struct {
	Repository
	release chan struct{}
	mu      sync.Mutex
	got     []Record
	pruned  []int64
}

func (r *blockingRepo) WithTx(ctx context.Context, fn func(context.Context) error) error {
	return fn(ctx)
}

func (r *blockingRepo) InsertRecords(_ context.Context, recs []Record) error {
	<-r.release
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, recs...)
	return nil
}

func (r *blockingRepo) PruneOrganization(_ context.Context, org int64, _ int) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruned = append(r.pruned, org)
	return 0, nil
}

func (r *blockingRepo) RecordsByID(_ context.Context, org int64, ids []uuid.UUID) ([]Record, error) {
	var out []Record
	for _, id := range ids {
		out = append(out, Record{ID: id, OrganizationID: org, Status: 200})
	}
	return out, nil
}

func capture(org int64) *Capture {
	return &Capture{
		Record:        Record{ID: NewID(time.Now()), OrganizationID: org, Status: 200},
		RequestHeader: http.Header{"Authorization": {"Bearer t"}}, ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		ResponseBody: []byte(`{"token":"t"}`),
	}
}

// TestRecorderNeverWaits: with the writer stuck on a slow database, Capture
// returns at once; beyond the buffer captures are dropped and counted;
// what was buffered is written, redacted, once the database answers.
func TestRecorderNeverWaits(t *testing.T) {
	repo := &blockingRepo{release: make(chan struct{})}
	rec := NewRecorder(repo, NewHub(), Options{Buffer: 3, Batch: 1, MaxRecords: 10}) // the writer holds one capture at a time
	dropped := testutil.ToFloat64(Dropped)
	sub := rec.Hub().Subscribe(1, Filter{})
	defer sub.Close()

	done := make(chan struct{})
	go func() {
		for range 10 {
			rec.Capture(capture(1))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Capture waited for the database")
	}
	// The writer holds one batch (at least one capture); the buffer 3 more at most.
	require.GreaterOrEqual(t, testutil.ToFloat64(Dropped)-dropped, float64(10-1-3))
	close(repo.release)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, rec.Close(ctx))
	repo.mu.Lock()
	defer repo.mu.Unlock()
	require.NotEmpty(t, repo.got)
	require.LessOrEqual(t, len(repo.got), 4)
	require.Equal(t, float64(10)-float64(len(repo.got)), testutil.ToFloat64(Dropped)-dropped)
	for _, r := range repo.got {
		require.Equal(t, Redacted, r.RequestHeaders["Authorization"])
		require.Equal(t, `{"token":"[REDACTED]"}`, string(r.ResponseBody))
		require.Equal(t, SignatureUnchecked, r.Signature.Verdict)
		require.Equal(t, IdempotencyNone, r.IdempotencyResult)
		require.Equal(t, DigestAbsent, r.ContentDigest)
	}
	got := <-sub.C
	require.Equal(t, repo.got[0].ID, got.ID, "written records reach the subscribers")
}

// TestPrepareHidesTheToken: the bearer token is redacted wherever it
// comes back: the signature base, a refusal quoting the base.
func TestPrepareHidesTheToken(t *testing.T) {
	t.Parallel()
	base := "\"@method\": GET\n\"authorization\": Bearer ov_at_secret123\n\"x-client-id\": c1"
	c := &Capture{
		Record:         Record{Signature: Signature{Verdict: SignatureFailed, Base: base}},
		RequestHeader:  http.Header{"Authorization": {"Bearer ov_at_secret123"}},
		ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		ResponseBody:   []byte(`{"code":401,"signatureBase":"\"authorization\": Bearer ov_at_secret123"}`),
	}
	r := prepare(c)
	require.Equal(t, "\"@method\": GET\n\"authorization\": Bearer [REDACTED]\n\"x-client-id\": c1", r.Signature.Base)
	require.NotContains(t, string(r.ResponseBody), "ov_at_secret123")
	require.Contains(t, string(r.ResponseBody), "Bearer [REDACTED]")
}

// TestRecorderPrunesOnInsert: an organization is pruned once a tenth of
// its retention has been added.
func TestRecorderPrunesOnInsert(t *testing.T) {
	t.Parallel()
	repo := &blockingRepo{release: make(chan struct{})}
	close(repo.release)
	rec := NewRecorder(repo, NewHub(), Options{MaxRecords: 20})
	for range 5 {
		rec.Capture(capture(7))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, rec.Close(ctx))
	repo.mu.Lock()
	defer repo.mu.Unlock()
	require.Len(t, repo.got, 5)
	require.NotEmpty(t, repo.pruned)
	require.Equal(t, int64(7), repo.pruned[0])
}

// TestNotifications: another replica's payload reaches this one's
// subscribers of that organization; this replica's own is ignored.
func TestNotifications(t *testing.T) {
	t.Parallel()
	repo := &blockingRepo{release: make(chan struct{})}
	close(repo.release)
	rec := NewRecorder(repo, NewHub(), Options{})
	t.Cleanup(func() { _ = rec.Close(context.Background()) })
	var recs []Record
	for i := range 400 {
		recs = append(recs, Record{ID: NewID(time.Now()), OrganizationID: int64(1 + i%2)})
	}
	payloads := notifications("other", recs)
	require.Greater(t, len(payloads), 1, "400 ids do not fit one notification")
	for _, p := range payloads {
		require.Less(t, len(p), 8000)
	}
	sub := rec.Hub().Subscribe(2, Filter{})
	defer sub.Close()
	for _, p := range notifications(rec.self, recs[:2]) {
		rec.Received(p)
	}
	require.Empty(t, sub.C, "its own")
	for _, p := range payloads {
		rec.Received(p)
	}
	require.Len(t, sub.C, 200)
	first := <-sub.C
	require.Equal(t, recs[1].ID, first.ID)
	require.Equal(t, int64(2), first.OrganizationID)
}

// BenchmarkPrepare is the writer's work on one record of a customer read,
// before its insert.
func BenchmarkPrepare(b *testing.B) {
	c := &Capture{
		Record: Record{ID: NewID(time.Now()), OrganizationID: 1, Status: 200, Signature: Signature{Verdict: SignatureVerified, Base: strings.Repeat("x", 600)}},
		RequestHeader: http.Header{"Authorization": {"Bearer ov_at_0123456789abcdef0123456789abcdef"}, "X-Client-Id": {"ov_client_1"},
			"Signature-Input": {`sig1=("@method" "@target-uri" "@path" "@query" "authorization" "x-client-id");created=1;keyid="k"`}, "Signature": {"sig1=:" + strings.Repeat("A", 88) + ":"},
			"User-Agent": {"Go-http-client/1.1"}, "Accept-Encoding": {"gzip"}},
		ResponseHeader: http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"0123456789abcdef01234567"}},
		ResponseBody:   []byte(`{"data":{"customerId":123456,"firstName":"Bench","lastName":"User1","status":"ACTIVE","createdAt":1732893484,"updatedAt":1732893484},"code":200,"message":"Success"}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = prepare(c)
	}
}
