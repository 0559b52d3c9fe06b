package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/app"
	"github.com/openvest/openvest/internal/config"
	"github.com/openvest/openvest/internal/store"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

// serveProcess runs `openvest serve` as a child process (this test binary
// re-executed) so that the test can kill it with SIGKILL.
func serveProcess(t *testing.T, addr, dbURL string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"OPENVEST_TEST_SERVE=1", "OPENVEST_ADDR="+addr, "OPENVEST_DATABASE_URL="+dbURL,
		"OPENVEST_WEBHOOK_ALLOW_PRIVATE=true", "OPENVEST_LOG_LEVEL=error",
		"OPENVEST_JOB_WORKERS=2", "OPENVEST_WEBHOOK_WORKERS=2", "OPENVEST_JOB_TIMEOUT=2s", "OPENVEST_JOB_RESCUE_AFTER=3s",
		"OPENVEST_WEBHOOK_DISPATCH_GRACE=4s", // the sweep runs every second
	)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)
	return cmd
}

// TestCommittedEventsSurviveACrash: the service is killed (SIGKILL) while
// it delivers; started again, it delivers every committed event.
func TestCommittedEventsSurviveACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the service")
	}
	ctx := context.Background()
	var (
		mu  sync.Mutex
		got = map[string]int{}
	)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d struct {
			EventID string `json:"eventId"`
			Event   string `json:"event"`
		}
		_ = json.NewDecoder(r.Body).Decode(&d)
		if d.Event == "CUSTOMER.CREATED" {
			mu.Lock()
			got[d.EventID]++
			mu.Unlock()
		}
		time.Sleep(150 * time.Millisecond) // slow enough to be killed mid-delivery
		w.WriteHeader(http.StatusOK)
	}))
	defer receiver.Close()
	distinct := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }

	var out bytes.Buffer
	dbURL := testdb.FreshURL(t)
	t.Setenv("OPENVEST_DATABASE_URL", dbURL)
	require.NoError(t, run(ctx, []string{"org", "create", "--name", "Crash", "--sandbox"}, &out, io.Discard))
	var org struct {
		OrganizationID int64  `json:"organizationId"`
		ClientID       string `json:"clientId"`
		ClientSecret   string `json:"clientSecret"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &org))

	addr := freeAddr(t)
	server := serveProcess(t, addr, dbURL)
	base := "http://" + addr
	res, err := http.PostForm(base+"/v1/oauth/token", url.Values{"clientId": {org.ClientID}, "clientSecret": {org.ClientSecret}})
	require.NoError(t, err)
	var tok struct {
		Token string `json:"token"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tok))
	res.Body.Close()
	call := func(method, path, body string) int {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		req.Header.Set("X-Client-Id", org.ClientID)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	require.Equal(t, http.StatusCreated, call("POST", "/v1/webhooks", `{"url": "`+receiver.URL+`/hooks", "subscriptions": ["CUSTOMER.CREATED"]}`))
	const n = 20
	for range n {
		require.Equal(t, http.StatusCreated, call("POST", "/v1/customers", `{"firstName": "Crash", "lastName": "Test"}`))
	}
	require.Eventually(t, func() bool { return distinct() >= 2 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, server.Process.Signal(syscall.SIGKILL))
	_, _ = server.Process.Wait()
	require.Less(t, distinct(), n, "killed mid-delivery")

	serveProcess(t, addr, dbURL) // started again
	require.Eventually(t, func() bool { return distinct() == n }, 90*time.Second, 50*time.Millisecond, "every committed event is delivered after the restart")

	// Exactly the committed events were delivered.
	st, err := store.Open(dbURL, store.Options{MaxConns: 2})
	require.NoError(t, err)
	defer st.Close()
	var ids []string
	require.NoError(t, st.DB.Table("webhook_events").Where("organization_id = ? AND name = ?", org.OrganizationID, "CUSTOMER.CREATED").Pluck("id", &ids).Error)
	require.Len(t, ids, n)
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		require.GreaterOrEqual(t, got[id], 1, "event %s delivered", id)
	}
}

// TestStrandedExecutionsResumeAfterACrash: the service is killed (SIGKILL)
// while purchase executions are running (held inside their transactions by
// a table lock the test takes); started again, every request completes,
// long before a minute is out (with the test's short rescue setting), each
// with exactly one fill.
func TestStrandedExecutionsResumeAfterACrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the service")
	}
	ctx := context.Background()
	var out bytes.Buffer
	dbURL := testdb.FreshURL(t)
	t.Setenv("OPENVEST_DATABASE_URL", dbURL)
	require.NoError(t, run(ctx, []string{"org", "create", "--name", "Crash trades", "--sandbox"}, &out, io.Discard))
	var org struct {
		OrganizationID int64  `json:"organizationId"`
		ClientID       string `json:"clientId"`
		ClientSecret   string `json:"clientSecret"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &org))
	st, err := store.Open(dbURL, store.Options{MaxConns: 4})
	require.NoError(t, err)
	defer st.Close()

	addr := freeAddr(t)
	server := serveProcess(t, addr, dbURL)
	call := clientFor(t, "http://"+addr, org.ClientID, org.ClientSecret)
	var customer struct {
		Data struct {
			CustomerID int64 `json:"customerId"`
		} `json:"data"`
	}
	require.Equal(t, http.StatusCreated, call("POST", "/v1/customers", `{"firstName": "Crash", "lastName": "Trader"}`, &customer))
	var instrument struct {
		Data struct {
			InstrumentID int64 `json:"instrumentId"`
		} `json:"data"`
	}
	require.Equal(t, http.StatusOK, call("GET", "/v1/instruments/AAPL", "", &instrument))

	// Hold every fill inside its transaction: executions block on the
	// insert of their transaction row while their jobs are running.
	hold := st.DB.Begin()
	require.NoError(t, hold.Error)
	defer hold.Rollback()
	require.NoError(t, hold.Exec("LOCK TABLE transactions IN EXCLUSIVE MODE").Error)
	const n = 6
	ids := make([]int64, n)
	for i := range ids {
		var r struct {
			Data struct {
				RequestID int64 `json:"requestId"`
			} `json:"data"`
		}
		body := `{"customerId": ` + itoa(customer.Data.CustomerID) + `, "currency": "USD", "instrumentId": ` + itoa(instrument.Data.InstrumentID) + `, "purchaseAmount": 50}`
		require.Equal(t, http.StatusCreated, call("POST", "/v1/requests/purchase", body, &r))
		ids[i] = r.Data.RequestID
	}
	running := func() int64 {
		var c int64
		require.NoError(t, st.DB.Raw("SELECT count(*) FROM river_job WHERE kind = 'execute_request' AND state = 'running'").Scan(&c).Error)
		return c
	}
	require.Eventually(t, func() bool { return running() == 2 }, 10*time.Second, 10*time.Millisecond, "both workers are executing")
	require.NoError(t, server.Process.Signal(syscall.SIGKILL))
	_, _ = server.Process.Wait()
	require.NoError(t, hold.Rollback().Error)
	require.Equal(t, int64(2), running(), "the killed instance left its jobs running")

	restarted := time.Now()
	serveProcess(t, addr, dbURL)
	pending := func() int64 {
		var c int64
		require.NoError(t, st.DB.Raw("SELECT count(*) FROM requests WHERE organization_id = ? AND status = 'PENDING'", org.OrganizationID).Scan(&c).Error)
		return c
	}
	require.Eventually(t, func() bool { return pending() == 0 }, 45*time.Second, 50*time.Millisecond, "no request stays PENDING after the restart")
	require.Less(t, time.Since(restarted), time.Minute)
	for _, id := range ids {
		var fills int64
		require.NoError(t, st.DB.Raw("SELECT count(*) FROM transactions WHERE request_id = ?", id).Scan(&fills).Error)
		require.Equal(t, int64(1), fills, "request %d filled once", id)
	}
	var status []string
	require.NoError(t, st.DB.Raw("SELECT DISTINCT status FROM requests WHERE organization_id = ?", org.OrganizationID).Scan(&status).Error)
	require.Equal(t, []string{"COMPLETED"}, status)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// clientFor gets a token for the organization and returns a caller of the
// API with it: method, path, JSON body (or ""), and where to decode the
// answer (or nil); it returns the status.
func clientFor(t *testing.T, base, clientID, secret string) func(method, path, body string, into any) int {
	t.Helper()
	res, err := http.PostForm(base+"/v1/oauth/token", url.Values{"clientId": {clientID}, "clientSecret": {secret}})
	require.NoError(t, err)
	var tok struct {
		Token string `json:"token"` // the token call answers flat
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tok))
	res.Body.Close()
	return func(method, path, body string, into any) int {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, base+path, rd)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		req.Header.Set("X-Client-Id", clientID)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if method != http.MethodGet {
			req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if into != nil && res.StatusCode < 300 {
			require.NoError(t, json.Unmarshal(b, into), "%s", b)
		}
		return res.StatusCode
	}
}

func TestWebhookKeyRotate(t *testing.T) {
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+t.TempDir()+"/openvest.db")
	t.Setenv("OPENVEST_LOG_LEVEL", "error")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"webhook-key", "rotate"}, &out, io.Discard))
	var k struct {
		KeyID string `json:"keyId"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &k))
	require.True(t, strings.HasPrefix(k.KeyID, "openvest-webhooks-"))
	// Both the first key (made at start) and the new one are published.
	a, err := appForTest(t)
	require.NoError(t, err)
	keys, err := a.Webhooks.PublishedKeys(context.Background())
	require.NoError(t, err)
	require.Len(t, keys, 2)
	require.Equal(t, k.KeyID, keys[0].KeyID, "the new key signs")
}

func appForTest(t *testing.T) (*app.App, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	a, err := app.Open(context.Background(), cfg, cfg.Logger())
	if err == nil {
		t.Cleanup(func() { _ = a.Close() })
	}
	return a, err
}
