package webhook_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/openvest/openvest/internal/webhook"
	"github.com/stretchr/testify/require"
)

// TestPayloadIsJSONMarshal: a delivery's body, written by hand, is byte for
// byte what json.Marshal makes of it (the data compacted, HTML characters
// and line separators escaped, no data as null), and invalid data is
// refused as json.Marshal refuses it.
func TestPayloadIsJSONMarshal(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	marshal := func(e webhook.Event) ([]byte, error) {
		return json.Marshal(struct {
			EventID   string          `json:"eventId"`
			Event     string          `json:"event"`
			CreatedAt int64           `json:"createdAt"`
			Data      json.RawMessage `json:"data"`
		}{e.ID, e.Name, e.CreatedAt.Unix(), e.Data})
	}
	for _, c := range []struct{ id, name, data string }{
		{"0b8f5c1e-6a43-4d0e-9c55-2f1d7d5f3a10", "CUSTOMER.CREATED", `{"id":1,"firstName":"Jane","accounts":[{"id":1},{"id":2}]}`},
		{"0b8f5c1e-6a43-4d0e-9c55-2f1d7d5f3a10", "CUSTOMER.CREATED", "{ \"id\" : 1,\n \"name\": \"a b\" }"},
		{"id", "X", `{"note":"<b>&amp;</b>"}`},
		{"id", "X", "{\"sep\":\"a\u2028b\u2029c\",\"kwacha\":\"K 5 — €\"}"},
		{"id", "X", `{"esc":"\u003c\"\\\n"}`},
		{"id", "X", ""},
		{"id", "X", "null"},
		{"id", "X", `[1, 2.5e3, true, null, "x"]`},
		{"quo\"te\\<&>\u00e9\x01", "na\tme", `{}`},
	} {
		e := webhook.Event{ID: c.id, Name: c.name, CreatedAt: at, Data: json.RawMessage(c.data)}
		if c.data == "" {
			e.Data = nil
		}
		want, err := marshal(e)
		require.NoError(t, err)
		got, err := e.Payload()
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "data %q", c.data)
	}
	for _, bad := range []string{`{"a":`, `{"a":1}x`, `nope`, `{"a":"<"`} {
		_, err := webhook.Event{ID: "id", Name: "X", CreatedAt: at, Data: json.RawMessage(bad)}.Payload()
		require.Error(t, err, "data %q", bad)
	}
}
