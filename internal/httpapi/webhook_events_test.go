package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/openvest/openvest/gen/api"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestSubscriptionEnumIsTheCodes: the spec's WebhookSubscription enum is
// exactly what the webhook engine accepts, and every value of it is
// accepted by the API (AUTH.DELETED among them) while AUTH.UPDATED is not.
func TestSubscriptionEnumIsTheCodes(t *testing.T) {
	t.Parallel()
	doc, err := api.GetSwagger()
	require.NoError(t, err)
	s := doc.Components.Schemas["WebhookSubscription"].Value
	var enum []string
	for _, v := range s.Enum {
		enum = append(enum, v.(string))
	}
	require.ElementsMatch(t, webhook.Subscriptions(), enum)
	require.Empty(t, s.Pattern, "an enum, not a pattern")

	env := apitest.Start(t, apitest.Options{})
	tn := env.NewTenant(t, apitest.TenantOptions{})
	res := tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/all", "subscriptions": enum})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	res = tn.Do(t, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/x", "subscriptions": []string{"AUTH.UPDATED"}})
	require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), "subscriptions[0]")
}
