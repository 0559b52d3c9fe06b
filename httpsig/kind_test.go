package httpsig_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/stretchr/testify/require"
)

// TestErrorKinds: every refusal carries one of the fixed kinds that the
// metrics count it under.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	url := "https://api.example.com/v1/customers"
	signed := func(at time.Time) (*httpsig.Signer, func() error) {
		req := newRequest(t, "GET", url, "")
		s := &httpsig.Signer{KeyID: "k1", Key: priv, Now: func() time.Time { return at }}
		require.NoError(t, s.Sign(req, nil))
		return s, func() error {
			v := &httpsig.Verifier{Keys: keys(pub, "k1"), Now: func() time.Time { return now }}
			_, err := v.Verify(req, url, nil)
			return err
		}
	}
	kind := func(err error) string {
		var e *httpsig.Error
		require.True(t, errors.As(err, &e), "%v", err)
		return e.Kind
	}
	_, verify := signed(now)
	require.NoError(t, verify())
	_, verify = signed(now.Add(-time.Hour))
	require.Equal(t, httpsig.KindStale, kind(verify()))
	_, verify = signed(now.Add(time.Hour))
	require.Equal(t, httpsig.KindStale, kind(verify()))

	req := newRequest(t, "GET", url, "")
	require.NoError(t, (&httpsig.Signer{KeyID: "k2", Key: priv, Now: func() time.Time { return now }}).Sign(req, nil))
	_, err = (&httpsig.Verifier{Keys: keys(pub, "k1"), Now: func() time.Time { return now }}).Verify(req, url, nil)
	require.Equal(t, httpsig.KindUnknownKey, kind(err))
	_, err = (&httpsig.Verifier{Keys: keys(pub, "k2"), Now: func() time.Time { return now }}).Verify(req, "https://other.example.com/v1/customers", nil)
	require.Equal(t, httpsig.KindInvalid, kind(err))
	req.Header.Set("Signature-Input", "not a dictionary (")
	_, err = (&httpsig.Verifier{Keys: keys(pub, "k2"), Now: func() time.Time { return now }}).Verify(req, url, nil)
	require.Equal(t, httpsig.KindMalformed, kind(err))

	body := []byte(`{"a":1}`)
	require.Equal(t, httpsig.KindMismatch, kind(httpsig.VerifyContentDigest(httpsig.ContentDigest([]byte(`{"a":2}`)), body)))
	require.Equal(t, httpsig.KindMalformed, kind(httpsig.VerifyContentDigest("md5=:AAAA:", body)))
}
