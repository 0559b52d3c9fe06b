// Package apitest runs the real HTTP server over a real PostgreSQL database
// for tests, and checks every response against the OpenAPI document: a
// status the operation does not document, or a body that does not match
// its schema, fails the test.
package apitest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/idempotency"
	"github.com/openvest/openvest/internal/jobs"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// Env is a running server on the package's PostgreSQL database.
type Env struct {
	App    *app.App
	Server *httptest.Server
	HTTP   *http.Client // validates every response against the spec
	Now    func() time.Time
	// PublicURL, when set, is the base of the @target-uri tenants sign.
	PublicURL string
}

// Options tune Start.
type Options struct {
	Logger       *slog.Logger
	MaxBodyBytes int64
	// Now is the server's clock, and the clock tenants sign with (default time.Now).
	Now func() time.Time
	// PublicURL is OPENVEST_PUBLIC_URL: the base of @target-uri behind a proxy.
	PublicURL string
	// Jobs starts the job queue, so that requests execute and webhooks are
	// delivered; without it they wait in the database.
	Jobs bool
	// WebhookAllowPrivate lets webhooks reach local receivers (httptest servers).
	WebhookAllowPrivate bool
	// WebhookSchedule replaces the webhook retry delays.
	WebhookSchedule webhook.Schedule
	// DatabaseURL replaces the package's PostgreSQL database (for example
	// sqlite:// and a file in t.TempDir()).
	DatabaseURL string
	// RateLimits are the server's limits; nil turns them all off (tests
	// make many token calls and failures from one address).
	RateLimits *config.RateLimits
	// WebhookResolver replaces the DNS look-up of webhook hosts at creation.
	WebhookResolver webhook.Resolver
	// CORSOrigins are the origins allowed cross-origin (none by default).
	CORSOrigins []string
	// InspectorOff turns the request inspector off (OPENVEST_INSPECTOR_ENABLED=false).
	InspectorOff bool
}

// Start serves the full application on a real listener for the test.
func Start(t testing.TB, opts Options) *Env {
	t.Helper()
	cfg, err := config.FromEnv()
	require.NoError(t, err)
	cfg.DatabaseURL = testdb.URL()
	if opts.DatabaseURL != "" {
		cfg.DatabaseURL = opts.DatabaseURL
	}
	cfg.DBMaxConns = 8
	if opts.MaxBodyBytes > 0 {
		cfg.MaxBodyBytes = opts.MaxBodyBytes
	}
	cfg.PublicURL = opts.PublicURL
	cfg.WebhookAllowPrivate = opts.WebhookAllowPrivate
	cfg.RateLimits = config.RateLimits{}
	if opts.RateLimits != nil {
		cfg.RateLimits = *opts.RateLimits
	}
	if opts.CORSOrigins != nil {
		cfg.CORSOrigins = opts.CORSOrigins
	}
	if opts.InspectorOff {
		cfg.Inspector.Enabled = false
	}
	log := opts.Logger
	if log == nil {
		// OPENVEST_TEST_LOG=error|warn|info|debug shows the server's log of
		// HTTP tests on stderr (default: discarded), e.g. to find the cause
		// of a 500 that a test reports by its request id.
		var out io.Writer = io.Discard
		var level slog.Level
		if v := os.Getenv("OPENVEST_TEST_LOG"); v != "" && level.UnmarshalText([]byte(v)) == nil {
			out = os.Stderr
		}
		log = slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a, err := app.OpenWith(context.Background(), cfg, log, app.Options{Now: opts.Now, Jobs: TestJobs(), WebhookSchedule: opts.WebhookSchedule, WebhookResolver: opts.WebhookResolver})
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	if opts.Jobs {
		require.NoError(t, a.Start(context.Background()))
	}
	h, err := a.Handler()
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Env{App: a, Server: srv, HTTP: &http.Client{Transport: NewValidatingTransport(t, nil)}, Now: opts.Now, PublicURL: opts.PublicURL}
}

// TestJobs is a job queue configuration for tests: a queue of its own (so
// that a server works only the jobs it inserted, with its own clock, while
// other tests share the database) polled every 20ms.
func TestJobs() jobs.Config {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return jobs.Config{Queue: "test_" + hex.EncodeToString(b), PollInterval: 20 * time.Millisecond, Cooldown: 5 * time.Millisecond, MaxWorkers: 4, DeliveryWorkers: 8, TestOnly: true}
}

// Tenant is an organization with a registered signing key and a token,
// ready to call the API the way a careful client does.
type Tenant struct {
	Env          *Env
	Org          auth.Organization
	ClientSecret string
	Token        string
	KeyID        string
	Key          ed25519.PrivateKey
}

// TenantOptions tune NewTenant.
type TenantOptions struct {
	InvestmentTypes        []string // default INTERNATIONAL_STOCKS
	DefaultInvestmentTypes []string // default: all of InvestmentTypes
	Sandbox                bool
	SignaturePolicy        auth.Policy // default: required, or optional for sandbox organizations
}

// NewTenant creates an organization, registers an ed25519 key for it and
// gets a token through the API with a signed call.
func (e *Env) NewTenant(t testing.TB, opts TenantOptions) *Tenant {
	t.Helper()
	if opts.InvestmentTypes == nil {
		opts.InvestmentTypes = []string{"INTERNATIONAL_STOCKS"}
	}
	ctx := context.Background()
	o, secret, err := e.App.Auth.CreateOrganization(ctx, auth.NewOrganization{
		Name: t.Name(), InvestmentTypes: opts.InvestmentTypes, DefaultInvestmentTypes: opts.DefaultInvestmentTypes,
		Sandbox: opts.Sandbox, SignaturePolicy: opts.SignaturePolicy,
	})
	require.NoError(t, err)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_, err = e.App.Auth.AddKey(ctx, o.ClientID, "test-key-1", pub)
	require.NoError(t, err)
	tn := &Tenant{Env: e, Org: o, ClientSecret: secret, KeyID: "test-key-1", Key: priv}
	tn.Token = tn.NewToken(t)
	return tn
}

// NewToken gets a fresh token through a signed token call.
func (tn *Tenant) NewToken(t testing.TB) string {
	t.Helper()
	form := url.Values{"clientId": {tn.Org.ClientID}, "clientSecret": {tn.ClientSecret}}
	res := tn.DoWith(t, "POST", "/v1/oauth/token", form.Encode(), Call{Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var out struct {
		Token string `json:"token"`
	}
	res.JSON(t, &out)
	return out.Token
}

// WaitJobs waits (10 seconds at most) until no job of the tenant's
// organization that is due within a minute is waiting or running — no
// webhook attempt, request execution or report — nor any first attempt
// that the server makes after a commit (a webhook dispatch due within 5
// minutes), and fails the test otherwise. After it, nothing more happens on the tenant's behalf during
// the test (a recurring request's next cycle, weeks away, does not count)
// until a request queues new work: a negative check ("nothing more was
// delivered") waits on it instead of sleeping.
func (tn *Tenant) WaitJobs(t testing.TB) {
	t.Helper()
	require.Eventually(t, func() bool {
		var n int64
		err := tn.Env.App.Store.DB.Raw(`SELECT count(*) FROM river_job WHERE args->>'organizationId' = ?
AND (state = 'running' OR state IN ('available', 'scheduled', 'retryable') AND scheduled_at < now() + interval '1 minute')`, strconv.FormatInt(tn.Org.ID, 10)).Scan(&n).Error
		require.NoError(t, err)
		if n > 0 {
			return false
		}
		err = tn.Env.App.Store.DB.Raw(`SELECT count(*) FROM webhook_dispatches WHERE organization_id = ? AND due_at < ?`, tn.Org.ID, time.Now().UTC().Add(5*time.Minute)).Scan(&n).Error
		require.NoError(t, err)
		return n == 0
	}, 10*time.Second, 10*time.Millisecond, "the organization's jobs did not end")
}

// Signer returns a signer with the tenant's key.
func (tn *Tenant) Signer() *httpsig.Signer {
	return &httpsig.Signer{KeyID: tn.KeyID, Key: tn.Key, Now: tn.Env.Now}
}

// Call tunes one request of DoWith.
type Call struct {
	Header           http.Header // set after the defaults (an empty value removes a header)
	Unsigned         bool        // send no signature and no Content-Digest
	NoIdempotencyKey bool        // do not add an X-Idempotency-Key
	Signer           *httpsig.Signer
	// Tamper changes the request after it was signed (for forgery tests).
	Tamper func(*http.Request)
}

// Response is a decoded response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Map decodes the body into a generic map.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do sends a request as a careful client does: the tenant's token and
// client id, a fresh X-Idempotency-Key on mutations, a Content-Digest and
// an RFC 9421 signature. A non-nil body that is not a string or []byte is
// sent as JSON.
func (tn *Tenant) Do(t testing.TB, method, path string, body any) Response {
	t.Helper()
	return tn.DoWith(t, method, path, body, Call{})
}

// DoWith sends a request like Do, tuned by call.
func (tn *Tenant) DoWith(t testing.TB, method, path string, body any, call Call) Response {
	t.Helper()
	data := encodeBody(t, body)
	req, err := http.NewRequest(method, tn.Env.Server.URL+path, bytes.NewReader(data))
	require.NoError(t, err)
	token := httpsig.TokenCall(method, strings.SplitN(path, "?", 2)[0])
	if !token {
		req.Header.Set("Authorization", "Bearer "+tn.Token)
		req.Header.Set("X-Client-Id", tn.Org.ClientID)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if !call.NoIdempotencyKey && idempotencyCall(method, path) {
		req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
	}
	for k, vs := range call.Header {
		if len(vs) == 0 || vs[0] == "" {
			req.Header.Del(k)
			continue
		}
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if !call.Unsigned {
		signer := call.Signer
		if signer == nil {
			signer = tn.Signer()
			if tn.Env.PublicURL != "" {
				signer.TargetURI = tn.Env.PublicURL + path
			}
		}
		require.NoError(t, signer.Sign(req, data))
	}
	if call.Tamper != nil {
		call.Tamper(req)
	}
	return tn.Env.send(t, req)
}

func idempotencyCall(method, path string) bool {
	return idempotency.Mutating(method) && !strings.HasPrefix(path, "/v1/oauth/") && !strings.HasPrefix(path, "/v1/auth")
}

func encodeBody(t testing.TB, body any) []byte {
	t.Helper()
	switch b := body.(type) {
	case nil:
		return nil
	case string:
		return []byte(b)
	case []byte:
		return b
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		return data
	}
}

// Do sends a raw request with the given headers and nothing else (no
// token, no signature); Content-Type defaults to JSON when there is a body.
func (e *Env) Do(t testing.TB, method, path string, body any, header http.Header) Response {
	t.Helper()
	data := encodeBody(t, body)
	req, err := http.NewRequest(method, e.Server.URL+path, bytes.NewReader(data))
	require.NoError(t, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(t, req)
}

func (e *Env) send(t testing.TB, req *http.Request) Response {
	t.Helper()
	res, err := e.HTTP.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return Response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers (a server's
// logs, a command's output).
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}
