package webhook

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/openvest/openvest/httpsig"
)

// Event is one event of the outbox, as receivers get it.
type Event struct {
	ID             string // a UUID: receivers de-duplicate by it
	OrganizationID int64
	Name           string // DOMAIN.ACTION
	CreatedAt      time.Time
	Data           json.RawMessage // the resource as the API returns it
}

// Payload is the JSON body of a delivery: what json.Marshal makes of
// {eventId, event, createdAt (Unix seconds), data}, written without its
// reflection (one buffer, the data compacted into it).
func (e Event) Payload() ([]byte, error) {
	b := make([]byte, 0, len(`{"eventId":"","event":"","createdAt":,"data":}`)+len(e.ID)+len(e.Name)+20+len(e.Data))
	b = append(b, `{"eventId":`...)
	b = appendJSONString(b, e.ID)
	b = append(b, `,"event":`...)
	b = appendJSONString(b, e.Name)
	b = append(b, `,"createdAt":`...)
	b = strconv.AppendInt(b, e.CreatedAt.Unix(), 10)
	b = append(b, `,"data":`...)
	if len(e.Data) > 0 && !needsHTMLEscape(e.Data) {
		n := len(b)
		buf := bytes.NewBuffer(b)
		if json.Compact(buf, e.Data) == nil {
			return append(buf.Bytes(), '}'), nil
		}
		b = buf.Bytes()[:n]
	}
	// json.Marshal's own way: null for no data, <, >, &, U+2028 and
	// U+2029 escaped, and its error for data that is not JSON.
	data, err := json.Marshal(e.Data)
	if err != nil {
		return nil, err
	}
	b = append(b, data...)
	return append(b, '}'), nil
}

// appendJSONString appends s as json.Marshal encodes a string: as it is
// when it is printable ASCII with nothing to escape (an event's id and
// name always are), else through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// needsHTMLEscape reports whether json.Marshal would escape something in
// data (it escapes <, > and & and the line separators U+2028 and U+2029,
// whose UTF-8 starts with 0xE2, even in a json.RawMessage).
func needsHTMLEscape(data []byte) bool {
	return bytes.ContainsAny(data, "<>&") || bytes.IndexByte(data, 0xE2) >= 0
}

// Attempt is the outcome of one delivery attempt.
type Attempt struct {
	StatusCode int // 0 when no answer came
	Latency    time.Duration
	Error      string // why it failed, for the delivery log
	Succeeded  bool   // a 2xx answer
	Gone       bool   // 410: the receiver asks to stop; the webhook is disabled
	Refused    bool   // the guard refused every address of the destination
}

// responseLimit bounds how much of a receiver's answer is read.
const responseLimit = 16 << 10

// The labels of a delivery's two signatures.
const (
	// DocsLabel is the signature in the investing docs' form.
	DocsLabel = "sig1"
	// RFC9421Label is the RFC 9421 signature.
	RFC9421Label = "sig2"
)

// DocsComponents are what the docs-form signature covers, in the docs'
// order and capitalisation; @query is added when the URL has a query.
var DocsComponents = []string{"Content-Type", "Content-Digest", "Content-Length", "@method", "@target-uri", "@path"}

// docsComponentsWithQuery are DocsComponents and @query, for a URL with a
// query.
var docsComponentsWithQuery = append(DocsComponents[:len(DocsComponents):len(DocsComponents)], "@query")

// RFC9421Components are what the RFC 9421 signature covers.
var RFC9421Components = []string{"@method", "@target-uri", "content-type", "content-digest", "content-length", "webhook-id", "webhook-timestamp"}

// Deliver POSTs the event to url, signed with key (keyid = the key's id)
// twice, so that a receiver written to the investing docs and one using an
// RFC 9421 library both verify it:
//
//   - sig1, the docs' form: capitalised component names (DocsComponents),
//     @target-uri as scheme and host only, ed25519 over the sha-512 of the
//     signature base;
//   - sig2, RFC 9421: lowercase names (RFC9421Components, with the full
//     target URI and the Standard Webhooks headers webhook-id and
//     webhook-timestamp), ed25519 over the signature base itself.
//
// Each of Signature-Input and Signature is sent as two field lines, sig1
// first (together they are the dictionary {sig1, sig2}; a receiver that
// reads only the first line sees the docs' signature alone). It also sends
// Content-Digest (sha-512) and webhook-signature, the Standard Webhooks
// asymmetric form `v1a,<base64 ed25519 of "id.timestamp.body">`.
func Deliver(ctx context.Context, client *http.Client, url string, key Key, e Event, now time.Time) Attempt {
	body, err := e.Payload()
	if err != nil {
		return Attempt{Error: "encode payload: " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Attempt{Error: "build request: " + err.Error()}
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	priv := key.Private()
	// The Standard Webhooks message "id.timestamp.body", in one buffer.
	msg := make([]byte, 0, len(e.ID)+len(ts)+2+len(body))
	msg = append(append(append(append(append(msg, e.ID...), '.'), ts...), '.'), body...)
	// The headers in their canonical spelling (what Header.Set writes),
	// the map made for all of them and their values in one array.
	vals := make([]string, 5)
	vals[0], vals[1], vals[2], vals[3] = "application/json", "Openvest-Webhooks/1", e.ID, ts
	vals[4] = "v1a," + base64.StdEncoding.EncodeToString(httpsig.SignEd25519(priv, msg))
	req.Header = make(http.Header, 10)
	req.Header["Content-Type"] = vals[0:1:1]
	req.Header["User-Agent"] = vals[1:2:2]
	req.Header["Webhook-Id"] = vals[2:3:3]
	req.Header["Webhook-Timestamp"] = vals[3:4:4]
	req.Header["Webhook-Signature"] = vals[4:5:5]
	docs := DocsComponents
	if req.URL.RawQuery != "" {
		docs = docsComponentsWithQuery
	}
	at := func() time.Time { return now }
	signers := [2]httpsig.Signer{
		{
			KeyID: key.KeyID, Key: priv, Now: at, Label: DocsLabel,
			Form: httpsig.FormSHA512, DocsNames: true, Components: docs,
			TargetURI: req.URL.Scheme + "://" + req.URL.Host,
		},
		{
			KeyID: key.KeyID, Key: priv, Now: at, Label: RFC9421Label,
			Components: RFC9421Components,
		},
	}
	// One field line per signature, sig1 first; the two bases share one
	// buffer and the four header values one string.
	if err := httpsig.SignAll(req, body, &signers[0], &signers[1]); err != nil {
		return Attempt{Error: "sign: " + err.Error()}
	}
	start := time.Now()
	res, err := client.Do(req)
	latency := time.Since(start)
	if err != nil {
		if refused := (*RefusedError)(nil); errors.As(err, &refused) {
			return Attempt{Latency: latency, Refused: true, Error: refused.Error()}
		}
		return Attempt{Latency: latency, Error: err.Error()}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, responseLimit))
	a := Attempt{StatusCode: res.StatusCode, Latency: latency}
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		a.Succeeded = true
	case res.StatusCode == http.StatusGone:
		a.Gone = true
		a.Error = "the receiver answered 410 Gone: the webhook is disabled"
	default:
		a.Error = fmt.Sprintf("the receiver answered %d", res.StatusCode)
	}
	return a
}
