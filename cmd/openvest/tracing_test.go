package main

import (
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// otlpReceiver is a local OTLP/HTTP collector: it decodes the protobuf
// export requests posted to /v1/traces and keeps their spans.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
}

func (r *otlpReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path != "/v1/traces" || req.Header.Get("Content-Type") != "application/x-protobuf" {
		http.Error(w, "want a protobuf POST to /v1/traces", http.StatusBadRequest)
		return
	}
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	data, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var export coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(data, &export); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	for _, rs := range export.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			r.spans = append(r.spans, ss.GetSpans()...)
		}
	}
	r.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

func (r *otlpReceiver) find(name string) *tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.spans {
		if s.GetName() == name {
			return s
		}
	}
	return nil
}

func (r *otlpReceiver) children(parent *tracepb.Span) []*tracepb.Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*tracepb.Span
	for _, s := range r.spans {
		if bytes.Equal(s.GetParentSpanId(), parent.GetSpanId()) && bytes.Equal(s.GetTraceId(), parent.GetTraceId()) {
			out = append(out, s)
		}
	}
	return out
}

func attr(s *tracepb.Span, key string) *commonpb.AnyValue {
	for _, kv := range s.GetAttributes() {
		if kv.GetKey() == key {
			return kv.GetValue()
		}
	}
	return nil
}

// TestTracesReachTheCollector runs `openvest serve` (a child process, so
// that its logs can be read) with OTEL_EXPORTER_OTLP_ENDPOINT pointing at
// a local OTLP/HTTP receiver: the request span arrives with its route,
// organization and status, a database transaction span is its child; a
// purchase's execution job is a span under the purchase's request; the
// access log line carries the trace id.
func TestTracesReachTheCollector(t *testing.T) {
	recv := &otlpReceiver{}
	collector := httptest.NewServer(recv)
	defer collector.Close()

	addr := freeAddr(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"OPENVEST_TEST_SERVE=1", "OPENVEST_ADDR="+addr, "OPENVEST_DATABASE_URL=sqlite://"+t.TempDir()+"/openvest.db",
		"OPENVEST_LOG_LEVEL=info", "OTEL_EXPORTER_OTLP_ENDPOINT="+collector.URL, "OTEL_BSP_SCHEDULE_DELAY=50",
	)
	stdout, stderr := &apitest.SyncBuffer{}, &apitest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	hc := &http.Client{Transport: apitest.NewValidatingTransport(t, nil), Timeout: 10 * time.Second}
	base := "http://" + addr
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)

	banner := stdout.String()
	clientID := regexp.MustCompile(`clientId:\s+(\S+)`).FindStringSubmatch(banner)
	secret := regexp.MustCompile(`clientSecret:\s+(\S+)`).FindStringSubmatch(banner)
	require.Len(t, clientID, 2, banner)
	require.Len(t, secret, 2, banner)
	res, err := hc.PostForm(base+"/v1/oauth/token", url.Values{"clientId": {clientID[1]}, "clientSecret": {secret[1]}})
	require.NoError(t, err)
	var tok struct {
		Token string `json:"token"`
		Data  struct {
			Token        string `json:"token"`
			Organization struct {
				ID int64 `json:"id"`
			} `json:"organization"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&tok))
	res.Body.Close()
	require.Equal(t, http.StatusCreated, res.StatusCode)
	token := tok.Token
	if token == "" {
		token = tok.Data.Token
	}
	require.NotEmpty(t, token)

	post := func(path, body string) map[string]any {
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Client-Id", clientID[1])
		req.Header.Set("X-Idempotency-Key", uuid.NewString())
		res, err := hc.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		var out struct {
			Data map[string]any `json:"data"`
		}
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		require.Equal(t, http.StatusCreated, res.StatusCode, "%v", out)
		return out.Data
	}
	customer := post("/v1/customers", `{"firstName":"Ada","lastName":"Traced"}`)

	var span *tracepb.Span
	require.Eventually(t, func() bool { span = recv.find("POST /v1/customers"); return span != nil }, 15*time.Second, 20*time.Millisecond,
		"the request span never reached the collector")
	require.Equal(t, tracepb.Span_SPAN_KIND_SERVER, span.GetKind())
	require.Equal(t, "/v1/customers", attr(span, "http.route").GetStringValue())
	require.Equal(t, int64(201), attr(span, "http.response.status_code").GetIntValue())
	require.NotNil(t, attr(span, "openvest.organization_id"), "the span names the organization")
	require.Equal(t, clientID[1], attr(span, "openvest.client_id").GetStringValue())
	require.Eventually(t, func() bool {
		for _, c := range recv.children(span) {
			if c.GetName() == "db.transaction" {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "no database transaction span under the request span")

	// The purchase's execution job runs in a span of its own, a child of
	// the request that inserted it, with its transaction as its child.
	post("/v1/requests/purchase", fmt.Sprintf(`{"customerId": %v, "currency": "ZMW", "instrumentId": 1, "purchaseAmount": 500}`, customer["customerId"]))
	var purchase, job *tracepb.Span
	require.Eventually(t, func() bool {
		if purchase = recv.find("POST /v1/requests/purchase"); purchase == nil {
			return false
		}
		for _, c := range recv.children(purchase) {
			if c.GetName() == "job execute_request" {
				job = c
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "no job span under the purchase's request span")
	require.Equal(t, "execute_request", attr(job, "job.kind").GetStringValue())
	require.Eventually(t, func() bool {
		for _, c := range recv.children(job) {
			if c.GetName() == "db.transaction" {
				return true
			}
		}
		return false
	}, 15*time.Second, 20*time.Millisecond, "no database transaction span under the job span")

	traceID := hex.EncodeToString(span.GetTraceId())
	require.Eventually(t, func() bool {
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(line, `"msg":"request"`) && strings.Contains(line, `"path":"/v1/customers"`) && strings.Contains(line, `"trace_id":"`+traceID+`"`) {
				return true
			}
		}
		return false
	}, 5*time.Second, 20*time.Millisecond, "the access log line has no trace_id %s:\n%s", traceID, stderr.String())

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait())
}
