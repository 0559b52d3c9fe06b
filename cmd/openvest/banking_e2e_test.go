package main

import (
	"context"
	"encoding/base64"
	"net/http"
	"regexp"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/openvest/openvest/gen/client"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/store"
	"github.com/stretchr/testify/require"
)

// TestBankingEndToEnd onboards a customer through the generated client on
// the embedded SQLite default, then backdates the customer's last activity
// and restarts the service: the dormancy sweep that `serve` starts moves
// the customer to DORMANT.
func TestBankingEndToEnd(t *testing.T) {
	dbURL := "sqlite://" + t.TempDir() + "/openvest.db"
	t.Setenv("OPENVEST_DATABASE_URL", dbURL)
	t.Setenv("OPENVEST_LOG_LEVEL", "warn")
	t.Setenv("OPENVEST_BANKING_DORMANCY_MONTHS", "3")
	addr := freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	ctx := context.Background()

	out, stop := startServe(t, addr)
	clientID := regexp.MustCompile(`clientId:\s+(\S+)`).FindStringSubmatch(out.String())
	secret := regexp.MustCompile(`clientSecret:\s+(\S+)`).FindStringSubmatch(out.String())
	require.Len(t, clientID, 2, out.String())
	require.Len(t, secret, 2)

	httpClient := &http.Client{Transport: apitest.NewValidatingTransport(t, nil)}
	connect := func(base string) *client.ClientWithResponses {
		anon, err := client.NewClientWithResponses(base, client.WithHTTPClient(httpClient))
		require.NoError(t, err)
		token := tokenFor(t, anon, clientID[1], secret[1])
		c, err := client.NewClientWithResponses(base, client.WithHTTPClient(httpClient),
			client.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("X-Client-Id", clientID[1])
				return nil
			}))
		require.NoError(t, err)
		return c
	}
	c := connect("http://" + addr)

	str := func(s string) *string { return &s }
	created, err := c.CreateBankingApplicationWithResponse(ctx, nil, client.BankingApplicationCreate{
		Type: client.BankingTypeIndividual, Email: str("john.doe@example.com"), Phone: str("+1234567890"),
		Individual: &client.BankingApplicationPerson{
			FirstName: str("John"), LastName: str("Doe"),
			DateOfBirth: &openapi_types.Date{Time: time.Date(1990, 1, 15, 0, 0, 0, 0, time.UTC)},
			Address:     &client.BankingPartialAddress{Line1: str("123 Main St"), City: str("New York"), PostalCode: str("10001"), Country: str("US")},
		},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), string(created.Body))
	require.Equal(t, client.BankingApplicationDraft, created.JSON201.Status)
	id := created.JSON201.Id

	doc, err := c.CreateBankingApplicationDocumentWithResponse(ctx, id, nil, client.BankingDocumentCreate{
		Type: client.BankingDocumentPassport, FileName: "passport.pdf", ContentType: client.BankingContentPDF,
		Content: base64.StdEncoding.EncodeToString([]byte("%PDF-1.7\n% passport scan\n")),
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, doc.StatusCode(), string(doc.Body))

	submitted, err := c.SubmitBankingApplicationWithResponse(ctx, id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, submitted.StatusCode(), string(submitted.Body))
	require.Equal(t, client.BankingApplicationApproved, submitted.JSON200.Status)
	customerID := *submitted.JSON200.CustomerId

	list, err := c.ListBankingCustomersWithResponse(ctx, &client.ListBankingCustomersParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, list.StatusCode(), string(list.Body))
	require.Len(t, list.JSON200.Data, 1)
	require.Equal(t, customerID, list.JSON200.Data[0].Id)
	require.Equal(t, client.BankingStatusActive, list.JSON200.Data[0].Status)
	require.False(t, list.JSON200.Pagination.HasMore)
	stop()

	// Four months without activity, three allowed.
	st, err := store.Open(dbURL, store.Options{})
	require.NoError(t, err)
	require.NoError(t, st.DB.Exec("UPDATE banking_customers SET last_activity_at = ? WHERE id = ?", time.Now().UTC().AddDate(0, -4, 0), customerID).Error)
	// The sweep runs once per hour in the cluster (a River periodic job
	// unique per period): forget this hour's run, as if the next hour had
	// come, whether or not the first start got to it.
	require.NoError(t, st.DB.Exec("DELETE FROM river_job WHERE kind = 'periodic_task' AND args->>'task' = 'mark_dormant'").Error)
	require.NoError(t, st.Close())

	addr = freeAddr(t)
	t.Setenv("OPENVEST_ADDR", addr)
	startServe(t, addr)
	c = connect("http://" + addr)
	require.Eventually(t, func() bool {
		got, err := c.GetBankingCustomerWithResponse(ctx, customerID)
		return err == nil && got.StatusCode() == http.StatusOK && got.JSON200.Status == client.BankingStatusDormant
	}, 10*time.Second, 50*time.Millisecond, "the sweep of serve marks the idle customer DORMANT")
}
