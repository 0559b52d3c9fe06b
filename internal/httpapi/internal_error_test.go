package httpapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// TestInternalErrorLogsTheWrappedCause: a statement that fails for a
// reason the caller cannot fix (here the table is gone) answers 500 with
// nothing but the request id, while the log line of that request id has
// the whole chain: what the repository was attempting, for which
// organization, and the database's own error.
func TestInternalErrorLogsTheWrappedCause(t *testing.T) {
	t.Parallel()
	logs := &apitest.SyncBuffer{}
	env := apitest.Start(t, apitest.Options{
		DatabaseURL: "sqlite://" + filepath.Join(t.TempDir(), "openvest.db"), // a database of its own, to break
		Logger:      slog.New(slog.NewJSONHandler(logs, nil)),
	})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})
	res := tn.Do(t, "POST", "/v1/customers", map[string]any{"firstName": "Jane", "lastName": "Banda"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	var c struct {
		Data struct {
			ID int64 `json:"customerId"`
		} `json:"data"`
	}
	res.JSON(t, &c)
	require.NotZero(t, c.Data.ID)

	require.NoError(t, env.App.Store.DB.Exec("ALTER TABLE customers RENAME TO customers_elsewhere").Error)
	res = tn.Do(t, "GET", fmt.Sprintf("/v1/customers/%d", c.Data.ID), nil)
	require.Equal(t, http.StatusInternalServerError, res.Status, "%s", res.Body)
	id := res.Header.Get("X-Request-Id")
	require.NotEmpty(t, id)
	var e errorBody
	res.JSON(t, &e)
	require.Equal(t, "internal error; quote request id "+id+" when reporting it", e.Message)
	require.NotContains(t, string(res.Body), "customers", "the body tells nothing of the cause")
	require.NotContains(t, string(res.Body), "organization")

	var line map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var l map[string]any
		if json.Unmarshal(sc.Bytes(), &l) == nil && l["request_id"] == id && l["msg"] == "internal error" {
			line = l
		}
	}
	require.NoError(t, sc.Err())
	require.NotNil(t, line, "no internal error logged for request %s:\n%s", id, logs.String())
	cause, _ := line["error"].(string)
	require.Contains(t, cause, fmt.Sprintf("read customer %d of organization %d: ", c.Data.ID, tn.Org.ID), "what was being attempted")
	require.Contains(t, cause, "no such table: customers", "the database's own error, at the end of the chain")
}
