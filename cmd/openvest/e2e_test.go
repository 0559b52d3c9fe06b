package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/gen/client"
	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/testdb"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	// The crash test runs the service as a child process of this test
	// binary, so that it can kill it for real.
	if mode := os.Getenv("OPENVEST_TEST_SERVE"); mode == "1" || mode == "demo" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
		defer stop()
		args := []string{"serve"}
		if mode == "demo" {
			args = append(args, "--demo") // as make run starts it
		}
		if err := run(ctx, args, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	testdb.Main(m, "cmd")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// startServe runs `openvest serve [flags]` and waits until it is ready; stop shuts
// it down. out collects what it prints on stdout.
func startServe(t *testing.T, addr string, flags ...string) (out *apitest.SyncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out = &apitest.SyncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, flags...), out, &apitest.SyncBuffer{}) }()
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
// token and creates a customer whose accounts and portfolios appear;
// `counterparty create` makes a wallet counterparty the client then fills
// with a customer and a wallet account.
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

	// Register a signing key the way the README says: openssl's PEM files.
	dir := t.TempDir()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	pubPEM, err := httpsig.MarshalPublicKey(pub)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "private.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "public.pem"), pubPEM, 0o644))
	stdout.Reset()
	require.NoError(t, run(ctx, []string{"org", "add-key", "--client-id", org.ClientID, "--key-id", "e2e-key", "--public-key", filepath.Join(dir, "public.pem")}, &stdout, &bytes.Buffer{}))
	require.Contains(t, stdout.String(), `"keyId":"e2e-key"`)

	validating := apitest.NewValidatingTransport(t, nil)
	base := "http://" + addr
	// The sandbox organization's policy is optional: plain calls work.
	anon, err := client.NewClientWithResponses(base, client.WithHTTPClient(&http.Client{Transport: validating}))
	require.NoError(t, err)
	tok, err := anon.CreateTokenWithFormdataBodyWithResponse(ctx, nil, client.CreateTokenFormdataRequestBody{ClientId: &sandboxID[1], ClientSecret: &sandboxSecret[1]})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, tok.StatusCode(), string(tok.Body))

	// The new organization requires signatures: the unsigned token call is refused…
	tok, err = anon.CreateTokenWithFormdataBodyWithResponse(ctx, nil, client.CreateTokenFormdataRequestBody{ClientId: &org.ClientID, ClientSecret: &org.ClientSecret})
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, tok.StatusCode(), "no Content-Digest: %s", tok.Body)

	// …and the signing transport makes every call acceptable.
	signing := &http.Client{Transport: &httpsig.Transport{Signer: &httpsig.Signer{KeyID: "e2e-key", Key: priv}, Base: validating}}
	signed, err := client.NewClientWithResponses(base, client.WithHTTPClient(signing))
	require.NoError(t, err)
	tok, err = signed.CreateTokenWithFormdataBodyWithResponse(ctx, nil, client.CreateTokenFormdataRequestBody{ClientId: &org.ClientID, ClientSecret: &org.ClientSecret})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, tok.StatusCode(), string(tok.Body))
	token := tok.JSON201.Token

	// `openvest sign --exec` sends a signed request too.
	stdout.Reset()
	require.NoError(t, run(ctx, []string{"sign", "--key", filepath.Join(dir, "private.pem"), "--key-id", "e2e-key", "--client-id", org.ClientID,
		"--token", token, "--exec", base + "/v1/investments"}, &stdout, &bytes.Buffer{}))
	require.Contains(t, stdout.String(), "200 OK")
	stdout.Reset()
	require.NoError(t, run(ctx, []string{"sign", "--key", filepath.Join(dir, "private.pem"), "--key-id", "e2e-key", "--client-id", org.ClientID,
		"--token", token, "-d", `{"firstName":"Printed","lastName":"Curl"}`, base + "/v1/customers"}, &stdout, &bytes.Buffer{}))
	for _, h := range []string{"--request POST", "Signature-Input: sig1=(", "Content-Digest: sha-512=:", "X-Idempotency-Key: ", "Authorization: Bearer "} {
		require.Contains(t, stdout.String(), h)
	}

	c, err := client.NewClientWithResponses(base, client.WithHTTPClient(signing),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Client-Id", org.ClientID)
			return nil
		}))
	require.NoError(t, err)

	var ref client.ReferenceIdInput
	require.NoError(t, ref.FromReferenceId("e2e-1"))
	created, err := c.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{FirstName: "Jane", LastName: "Banda", ReferenceId: &ref})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	customerID := created.JSON201.Data.CustomerId

	accounts, err := c.ListAccountsWithResponse(ctx, &client.ListAccountsParams{CustomerId: &customerID})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, accounts.StatusCode())
	require.Len(t, accounts.JSON200.Data, 1)
	require.Equal(t, client.INTERNATIONALSTOCKS, accounts.JSON200.Data[0].InvestmentType)

	opened, err := c.CreateAccountWithResponse(ctx, nil, client.CreateAccountJSONRequestBody{CustomerId: customerID, Currency: client.ZMW, InvestmentTypes: client.BONDS})
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
	upd, err := c.UpdateCustomerWithResponse(ctx, nil, client.UpdateCustomerJSONRequestBody{CustomerId: customerID, Status: &suspended})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, upd.StatusCode(), string(upd.Body))
	portfolios, err = c.ListPortfoliosWithResponse(ctx, &client.ListPortfoliosParams{CustomerId: customerID})
	require.NoError(t, err)
	for _, p := range portfolios.JSON200.Data {
		require.Equal(t, client.PortfolioStatus("SUSPENDED"), p.Status)
	}

	// The wallet surface: a counterparty from the command line, then a
	// customer, its accounts and a filtered list through the client.
	stdout.Reset()
	require.NoError(t, run(ctx, []string{"counterparty", "create", "--client-id", org.ClientID, "--name", "E2E Bank"}, &stdout, &bytes.Buffer{}))
	var cp struct {
		CounterpartyGUID uuid.UUID `json:"counterparty_guid"`
		Name             string    `json:"name"`
		OrganizationID   int64     `json:"organization_id"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &cp), stdout.String())
	require.Equal(t, "E2E Bank", cp.Name)
	require.Equal(t, org.OrganizationID, cp.OrganizationID)
	require.Equal(t, 1, strings.Count(strings.TrimSpace(stdout.String()), "\n")+1, "one JSON object on one line")
	err = run(ctx, []string{"counterparty", "create", "--client-id", "ov_client_nobody", "--name", "X"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.ErrorContains(t, err, "no organization has client id")

	gotCp, err := c.GetWalletCounterpartyWithResponse(ctx, cp.CounterpartyGUID)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, gotCp.StatusCode(), string(gotCp.Body))
	login, iban := "+260971234567", "GB82 WEST 1234 5698 7654 32"
	balance := decimal.RequireFromString("1500.0000001")
	wc, err := c.CreateWalletCustomerWithResponse(ctx, cp.CounterpartyGUID, nil, client.CreateWalletCustomerJSONRequestBody{
		AssetCode: "ZMWT", AssetIssuer: "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN",
		Login: &login, Iban: &iban, BalanceAllowed: &balance,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, wc.StatusCode(), string(wc.Body))
	require.Equal(t, wc.JSON200.Guid, wc.JSON200.WalletAccountGuid)
	dup, err := c.CreateWalletCustomerWithResponse(ctx, cp.CounterpartyGUID, nil, client.CreateWalletCustomerJSONRequestBody{
		AssetCode: "ZMWT", AssetIssuer: "GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN", Login: &login,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusBadRequest, dup.StatusCode())
	require.Equal(t, "CUSTOMER_ALREADY_EXISTS", dup.JSON400.Error)

	wa, err := c.CreateWalletAccountWithResponse(ctx, cp.CounterpartyGUID, wc.JSON200.CustomerGuid, nil, client.CreateWalletAccountJSONRequestBody{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, wa.StatusCode(), string(wa.Body))
	ibanFilter := "GB82WEST12345698765432"
	accs, err := c.ListWalletAccountsWithResponse(ctx, cp.CounterpartyGUID, wc.JSON200.CustomerGuid, &client.ListWalletAccountsParams{Iban: &ibanFilter})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, accs.StatusCode(), string(accs.Body))
	require.EqualValues(t, 1, accs.JSON200.Total)
	require.Equal(t, wc.JSON200.WalletAccountGuid, accs.JSON200.Accounts[0].WalletAccountGuid)

	logins := []string{login, "someone-else"}
	desc := client.WalletCustomerOrdering("-created_at")
	minBalance := decimal.RequireFromString("1500.0000001")
	listed, err := c.ListWalletCustomersWithResponse(ctx, cp.CounterpartyGUID, &client.ListWalletCustomersParams{
		Logins: &logins, Ordering: &desc, MinBalanceAllowed: &minBalance,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, listed.StatusCode(), string(listed.Body))
	require.EqualValues(t, 1, listed.JSON200.Total)
	require.Equal(t, wc.JSON200.CustomerGuid, listed.JSON200.Customers[0].CustomerGuid)
	require.True(t, balance.Equal(listed.JSON200.Customers[0].BalanceAllowed))

	// Another organization sees none of it.
	other, err := client.NewClientWithResponses(base, client.WithHTTPClient(&http.Client{Transport: validating}),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+tokenFor(t, anon, sandboxID[1], sandboxSecret[1]))
			req.Header.Set("X-Client-Id", sandboxID[1])
			return nil
		}))
	require.NoError(t, err)
	got, err := other.GetCustomerWithResponse(ctx, customerID, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, got.StatusCode())
	theirs, err := other.GetWalletCounterpartyWithResponse(ctx, cp.CounterpartyGUID)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, theirs.StatusCode())
	require.Equal(t, "COUNTERPARTY_NOT_FOUND", theirs.JSON404.Error)
}

// sandboxOrg is what `openvest org create` prints.
type sandboxOrg struct{ ClientID, ClientSecret string }

// serveSandboxOnSQLite starts `serve` as `make run` does (an embedded SQLite
// file, the job queue on), creates a sandbox organization named name with
// the CLI and gets it a token: the base URL, the organization, the token and
// an HTTP client that validates every response against the spec.
func serveSandboxOnSQLite(t *testing.T, name string) (base string, org sandboxOrg, token string, plain *http.Client) {
	t.Helper()
	addr := freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "openvest.db"))
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	startServe(t, addr)

	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"org", "create", "--name", name, "--sandbox"}, &stdout, &bytes.Buffer{}))
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &org), stdout.String())
	base = "http://" + addr
	plain = &http.Client{Transport: apitest.NewValidatingTransport(t, nil)}
	anon, err := client.NewClientWithResponses(base, client.WithHTTPClient(plain))
	require.NoError(t, err)
	return base, org, tokenFor(t, anon, org.ClientID, org.ClientSecret), plain
}

func tokenFor(t *testing.T, c *client.ClientWithResponses, id, secret string) string {
	t.Helper()
	res, err := c.CreateTokenWithResponse(context.Background(), nil, client.CreateTokenJSONRequestBody{ClientId: &id, ClientSecret: &secret})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), string(res.Body))
	return res.JSON201.Token
}

// TestSandboxBannerOnlyOnEmptyDatabase: a second start does not create or
// print anything.
func TestSandboxBannerOnlyOnEmptyDatabase(t *testing.T) {
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+t.TempDir()+"/openvest.db")
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	for i, want := range []bool{true, false} {
		addr := freeAddr(t)
		t.Setenv("OPENVEST_ADDR", addr)
		out, stop := startServe(t, addr)
		stop()
		require.Equal(t, want, strings.Contains(out.String(), "Created the sandbox organization"), "start %d", i+1)
	}
}
