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

// Payload is the JSON body of a delivery.
func (e Event) Payload() ([]byte, error) {
	return json.Marshal(struct {
		EventID   string          `json:"eventId"`
		Event     string          `json:"event"`
		CreatedAt int64           `json:"createdAt"`
		Data      json.RawMessage `json:"data"`
	}{e.ID, e.Name, e.CreatedAt.Unix(), e.Data})
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
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Openvest-Webhooks/1")
	req.Header.Set("webhook-id", e.ID)
	req.Header.Set("webhook-timestamp", ts)
	priv := key.Private()
	// The Standard Webhooks message "id.timestamp.body", built once (not
	// through strings: three copies of the body).
	msg := make([]byte, 0, len(e.ID)+1+len(ts)+1+len(body))
	msg = append(append(append(append(append(msg, e.ID...), '.'), ts...), '.'), body...)
	var header [len("v1a,") + 88]byte // 88: the base64 of an ed25519 signature
	req.Header.Set("webhook-signature", string(base64.StdEncoding.AppendEncode(append(header[:0], "v1a,"...), httpsig.SignEd25519(priv, msg))))
	docs := append([]string(nil), DocsComponents...)
	if req.URL.RawQuery != "" {
		docs = append(docs, "@query")
	}
	signers := []*httpsig.Signer{
		{
			KeyID: key.KeyID, Key: priv, Now: func() time.Time { return now }, Label: DocsLabel,
			Form: httpsig.FormSHA512, DocsNames: true, Components: docs,
			TargetURI: req.URL.Scheme + "://" + req.URL.Host,
		},
		{
			KeyID: key.KeyID, Key: priv, Now: func() time.Time { return now }, Label: RFC9421Label,
			Components: RFC9421Components,
		},
	}
	// One field line per signature, sig1 first; the two bases share one
	// buffer and the four header values one string.
	if err := httpsig.SignAll(req, body, signers...); err != nil {
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
