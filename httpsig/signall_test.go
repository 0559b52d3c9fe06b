package httpsig_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/stretchr/testify/require"
)

// TestSignAllIsSignEach: SignAll's headers are, byte for byte, those of
// one Sign per signer with each Signature-Input and Signature collected as
// a field line (ed25519 signatures are deterministic), and each signature
// verifies by its label.
func TestSignAllIsSignEach(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"eventId":"e1"}`)
	newReq := func() *http.Request {
		req, err := http.NewRequest(http.MethodPost, "https://receiver.example.com/hooks?x=1", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("webhook-id", "e1")
		req.Header.Set("webhook-timestamp", "1800000000")
		return req
	}
	signers := append(webhookSigners(priv, now), &httpsig.Signer{KeyID: "whk_1", Key: priv, Now: func() time.Time { return now }, Label: "sig3", Docs: true, Components: []string{"content-type", "x-absent", "@path", "@query"}})
	for n := 1; n <= len(signers); n++ {
		each := newReq()
		var inputs, sigs []string
		for _, s := range signers[:n] {
			require.NoError(t, s.Sign(each, body))
			inputs = append(inputs, each.Header.Get("Signature-Input"))
			sigs = append(sigs, each.Header.Get("Signature"))
		}
		each.Header["Signature-Input"], each.Header["Signature"] = inputs, sigs
		all := newReq()
		require.NoError(t, httpsig.SignAll(all, body, signers[:n]...))
		require.Equal(t, inputs, all.Header.Values("Signature-Input"))
		require.Equal(t, sigs, all.Header.Values("Signature"))
		require.Equal(t, each.Header, all.Header)
		for _, s := range signers[:n] {
			v := &httpsig.Verifier{Keys: keys(pub, "whk_1"), Now: func() time.Time { return now }, Label: s.Label}
			_, err := v.Verify(all, "https://receiver.example.com/hooks?x=1", nil)
			require.NoError(t, err, s.Label)
		}
	}
	// A signer that cannot sign stops SignAll before any header is set.
	req := newReq()
	require.Error(t, httpsig.SignAll(req, body, signers[0], &httpsig.Signer{KeyID: "k", Key: priv, Label: "Bad"}))
	require.Empty(t, req.Header.Values("Signature-Input"))
}

// TestSignAllRefusesCoveringSignatures: SignAll writes Signature-Input and
// Signature once, after signing, so a signer covering them is refused (one
// Sign after another would have covered the earlier signers' values).
func TestSignAllRefusesCoveringSignatures(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	for _, c := range []string{"signature-input", "signature", `signature;key="sig1"`} {
		req, err := http.NewRequest(http.MethodGet, "https://receiver.example.com/hooks", nil)
		require.NoError(t, err)
		err = httpsig.SignAll(req, nil,
			&httpsig.Signer{KeyID: "whk_1", Key: priv, Now: now, Label: "sig1", Components: []string{"@method"}},
			&httpsig.Signer{KeyID: "whk_1", Key: priv, Now: now, Label: "sig2", Components: []string{"@method", c}})
		require.ErrorContains(t, err, "covers", c)
		require.Empty(t, req.Header.Values("Signature"), "%s: nothing signed", c)
	}
}
