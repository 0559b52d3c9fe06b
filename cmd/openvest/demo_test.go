package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/openvest/openvest/gen/client"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// customersOf lists the investing customers an organization sees, through
// the generated client (every response validated against the spec).
func customersOf(t *testing.T, base, clientID, secret string) []client.Customer {
	t.Helper()
	plain := &http.Client{Transport: apitest.NewValidatingTransport(t, nil)}
	anon, err := client.NewClientWithResponses(base, client.WithHTTPClient(plain))
	require.NoError(t, err)
	token := tokenFor(t, anon, clientID, secret)
	c, err := client.NewClientWithResponses(base, client.WithHTTPClient(plain),
		client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("X-Client-Id", clientID)
			return nil
		}))
	require.NoError(t, err)
	res, err := c.ListCustomersWithResponse(context.Background(), &client.ListCustomersParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode(), string(res.Body))
	return res.JSON200.Data
}

// TestServeDemoFillsTheFirstSandbox: `serve --demo` (what `make run` runs)
// fills the sandbox organization it creates on an empty database, and only
// that one: a second start adds nothing.
func TestServeDemoFillsTheFirstSandbox(t *testing.T) {
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "openvest.db"))
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	addr := freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	out, stop := startServe(t, addr, "--demo")
	banner := out.String()
	require.Contains(t, banner, "Filled it with demo data: 3 investing customers with 8 executed purchases and sells")
	id := regexp.MustCompile(`clientId:\s+(\S+)`).FindStringSubmatch(banner)
	secret := regexp.MustCompile(`clientSecret:\s+(\S+)`).FindStringSubmatch(banner)
	require.Len(t, id, 2)
	require.Len(t, secret, 2)
	require.Len(t, customersOf(t, "http://"+addr, id[1], secret[1]), 3)
	stop()

	addr = freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	out, _ = startServe(t, addr, "--demo")
	require.NotContains(t, out.String(), "demo data")
	require.Len(t, customersOf(t, "http://"+addr, id[1], secret[1]), 3)
}

// TestOrgCreateDemo: `org create --sandbox --demo` prints what it filled
// the new organization with; --demo without --sandbox is refused before
// anything is created.
func TestOrgCreateDemo(t *testing.T) {
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "openvest.db"))
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	ctx := context.Background()

	err := run(ctx, []string{"org", "create", "--name", "Prod", "--demo"}, &bytes.Buffer{}, &bytes.Buffer{})
	require.ErrorContains(t, err, "--demo needs --sandbox")

	var stdout bytes.Buffer
	require.NoError(t, run(ctx, []string{"org", "create", "--name", "Demo", "--sandbox", "--demo"}, &stdout, &bytes.Buffer{}))
	var org struct {
		OrganizationID int64
		ClientID       string
		Demo           struct {
			InvestingCustomers []int64
			Requests           []int64
			Counterparty       string
			WalletCustomers    []string
			BankingCustomers   []string
		}
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &org), stdout.String())
	require.Equal(t, int64(1), org.OrganizationID, "the refused command created nothing")
	require.Len(t, org.Demo.InvestingCustomers, 3)
	require.Len(t, org.Demo.Requests, 8)
	require.NotEmpty(t, org.Demo.Counterparty)
	require.Len(t, org.Demo.WalletCustomers, 3)
	require.Len(t, org.Demo.BankingCustomers, 2)
	require.Regexp(t, `^cust_`, org.Demo.BankingCustomers[1])
}

// TestOrgReset: `org reset` empties a sandbox organization (and with
// --demo fills it again), leaves another organization's data as it was,
// and refuses a production organization.
func TestOrgReset(t *testing.T) {
	t.Setenv("OPENVEST_DATABASE_URL", "sqlite://"+filepath.Join(t.TempDir(), "openvest.db"))
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	ctx := context.Background()
	create := func(args ...string) string {
		var stdout bytes.Buffer
		require.NoError(t, run(ctx, append([]string{"org", "create"}, args...), &stdout, &bytes.Buffer{}))
		var org struct{ ClientID string }
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &org), stdout.String())
		return org.ClientID
	}
	demo := create("--name", "Demo", "--sandbox", "--demo")
	other := create("--name", "Other", "--sandbox", "--demo")
	prod := create("--name", "Prod")
	reset := func(args ...string) (map[string]int64, error) {
		var stdout bytes.Buffer
		if err := run(ctx, append([]string{"org", "reset"}, args...), &stdout, &bytes.Buffer{}); err != nil {
			return nil, err
		}
		var out struct {
			Deleted      map[string]int64
			ReseededDemo bool
		}
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
		return out.Deleted, nil
	}

	deleted, err := reset("--client-id", demo)
	require.NoError(t, err)
	require.Equal(t, int64(3), deleted["customers"], "%v", deleted)
	require.Equal(t, int64(3), deleted["wallet_customers"], "%v", deleted)
	require.Equal(t, int64(2), deleted["banking_customers"], "%v", deleted)
	deleted, err = reset("--client-id", demo)
	require.NoError(t, err)
	require.Empty(t, deleted, "nothing is left to delete")
	deleted, err = reset("--client-id", demo, "--demo")
	require.NoError(t, err)
	require.Empty(t, deleted)
	deleted, err = reset("--client-id", demo)
	require.NoError(t, err)
	require.Equal(t, int64(3), deleted["customers"], "--demo filled it again")
	deleted, err = reset("--client-id", other)
	require.NoError(t, err)
	require.Equal(t, int64(3), deleted["customers"], "the other organization kept its data throughout")

	_, err = reset("--client-id", prod)
	require.ErrorContains(t, err, "not a sandbox organization")
	_, err = reset("--client-id", "no-such-client")
	require.ErrorContains(t, err, "no-such-client")
}
