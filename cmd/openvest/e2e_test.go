package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openvest/openvest/gen/client"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) { testdb.Main(m, "cmd") }

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// startServe runs `openvest serve` until stop is called or the test ends,
// and waits until it is ready.
func startServe(t *testing.T, addr string) (out *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, out, &syncBuffer{}) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			require.NoError(t, <-done)
		})
	}
	t.Cleanup(stop)
	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond)
	return out, stop
}

// TestEndToEnd drives the real command: `serve` on an empty database
// bootstraps a sandbox organization and prints its credentials; `org
// create` prints a new organization's; the generated Go client then gets a
// token and creates a customer whose accounts and portfolios appear.
func TestEndToEnd(t *testing.T) {
	addr := freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	t.Setenv("OPENVEST_DATABASE_URL", testdb.URL())
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	ctx := context.Background()

	require.NoError(t, run(ctx, []string{"migrate"}, &bytes.Buffer{}, &bytes.Buffer{}))
	out, _ := startServe(t, addr)
	banner := out.String()
	require.Contains(t, banner, "Created the sandbox organization")
	sandboxID := regexp.MustCompile(`clientId:\s+(\S+)`).FindStringSubmatch(banner)
	sandboxSecret := regexp.MustCompile(`clientSecret:\s+(\S+)`).FindStringSubmatch(banner)
	require.Len(t, sandboxID, 2)
	require.Len(t, sandboxSecret, 2)
	require.Contains(t, banner, "curl -s -X POST http://localhost:")

	var stdout bytes.Buffer
	require.NoError(t, run(ctx, []string{"org", "create", "--name", "E2E Fintech",
		"--investment-types", "INTERNATIONAL_STOCKS,BONDS", "--default-investment-types", "INTERNATIONAL_STOCKS"}, &stdout, &bytes.Buffer{}))
	var org struct {
		OrganizationID int64  `json:"organizationId"`
		ClientID       string `json:"clientId"`
		ClientSecret   string `json:"clientSecret"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &org), stdout.String())
	require.Positive(t, org.OrganizationID)
	require.Equal(t, 1, strings.Count(strings.TrimSpace(stdout.String()), "\n")+1, "one JSON object on one line")

	httpClient := &http.Client{Transport: apitest.NewValidatingTransport(t, nil)}
	base := "http://" + addr
	anon, err := client.NewClientWithResponses(base, client.WithHTTPClient(httpClient))
	require.NoError(t, err)

	// The sandbox credentials printed at start work.
	tok, err := anon.CreateTokenWithFormdataBodyWithResponse(ctx, client.CreateTokenFormdataRequestBody{ClientId: sandboxID[1], ClientSecret: sandboxSecret[1]})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, tok.StatusCode(), string(tok.Body))

	tok, err = anon.CreateTokenWithFormdataBodyWithResponse(ctx, client.CreateTokenFormdataRequestBody{ClientId: org.ClientID, ClientSecret: org.ClientSecret})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, tok.StatusCode(), string(tok.Body))
	token := tok.JSON201.Data.Token

	c, err := client.NewClientWithResponses(base, client.WithHTTPClient(httpClient),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Client-Id", org.ClientID)
			return nil
		}))
	require.NoError(t, err)

	ref := "e2e-1"
	created, err := c.CreateCustomerWithResponse(ctx, client.CreateCustomerJSONRequestBody{FirstName: "Jane", LastName: "Banda", ReferenceId: &ref})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	customerID := created.JSON201.Data.CustomerId

	accounts, err := c.ListAccountsWithResponse(ctx, &client.ListAccountsParams{CustomerId: &customerID})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, accounts.StatusCode())
	require.Len(t, accounts.JSON200.Data, 1)
	require.Equal(t, client.INTERNATIONALSTOCKS, accounts.JSON200.Data[0].InvestmentType)

	opened, err := c.CreateAccountWithResponse(ctx, client.CreateAccountJSONRequestBody{CustomerId: customerID, Currency: client.ZMW, InvestmentTypes: client.BONDS})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, opened.StatusCode(), string(opened.Body))

	portfolios, err := c.ListPortfoliosWithResponse(ctx, &client.ListPortfoliosParams{CustomerId: customerID})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, portfolios.StatusCode())
	require.Len(t, portfolios.JSON200.Data, 2)
	for _, p := range portfolios.JSON200.Data {
		require.NotNil(t, p.AccountId)
		require.True(t, p.InvestmentAmount.IsZero())
	}

	suspended := client.CustomerStatus("SUSPENDED")
	upd, err := c.UpdateCustomerWithResponse(ctx, client.UpdateCustomerJSONRequestBody{CustomerId: customerID, Status: &suspended})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, upd.StatusCode(), string(upd.Body))
	portfolios, err = c.ListPortfoliosWithResponse(ctx, &client.ListPortfoliosParams{CustomerId: customerID})
	require.NoError(t, err)
	for _, p := range portfolios.JSON200.Data {
		require.Equal(t, client.PortfolioStatus("SUSPENDED"), p.Status)
	}

	// Another organization sees none of it.
	other, err := client.NewClientWithResponses(base, client.WithHTTPClient(httpClient),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+tokenFor(t, anon, sandboxID[1], sandboxSecret[1]))
			req.Header.Set("X-Client-Id", sandboxID[1])
			return nil
		}))
	require.NoError(t, err)
	got, err := other.GetCustomerWithResponse(ctx, customerID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, got.StatusCode())
}

func tokenFor(t *testing.T, c *client.ClientWithResponses, id, secret string) string {
	t.Helper()
	res, err := c.CreateTokenWithResponse(context.Background(), client.CreateTokenJSONRequestBody{ClientId: id, ClientSecret: secret})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), string(res.Body))
	return res.JSON201.Data.Token
}

// TestSandboxBannerOnlyOnEmptyDatabase: a second start does not create or
// print anything.
func TestSandboxBannerOnlyOnEmptyDatabase(t *testing.T) {
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+t.TempDir()+"/openvest.db")
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	for i, want := range []bool{true, false} {
		addr := freeAddr(t)
		t.Setenv("OPENVEST_ADDR", addr)
		ctx, cancel := context.WithCancel(context.Background())
		out := &syncBuffer{}
		done := make(chan error, 1)
		go func() { done <- run(ctx, []string{"serve"}, out, &syncBuffer{}) }()
		require.Eventually(t, func() bool {
			res, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == http.StatusOK
		}, 20*time.Second, 50*time.Millisecond)
		cancel()
		require.NoError(t, <-done)
		require.Equal(t, want, strings.Contains(out.String(), "Created the sandbox organization"), "start %d", i+1)
	}
}
