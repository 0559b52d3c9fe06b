package httpapi

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"time"

	"github.com/openvest/openvest/httpsig"
	"github.com/openvest/openvest/internal/auth"
	"github.com/openvest/openvest/internal/errcode"
	"github.com/openvest/openvest/internal/inspector"
	"github.com/openvest/openvest/internal/metrics"
)

// integrity checks Content-Digest (RFC 9530) and the request signature
// (RFC 9421) against the calling organization's keys and policy: verified
// whenever present, demanded when the policy is `required`.
type integrity struct {
	auth      *auth.Service
	now       func() time.Time
	skew      time.Duration
	publicURL string // OPENVEST_PUBLIC_URL, the base of @target-uri behind a proxy
}

// check verifies the request. org is the calling organization (known is
// false when it cannot be told, as for a token call with an unknown client
// id: the handler refuses those credentials anyway).
func (i *integrity) check(ctx context.Context, req *http.Request, body []byte, org auth.Organization, known, tokenCall bool) error {
	required := known && org.SignaturePolicy == auth.PolicyRequired
	in := inspectionFrom(ctx)
	if h := req.Header.Get("Content-Digest"); h != "" {
		if err := httpsig.VerifyContentDigest(h, body); err != nil {
			countDigestFailure(err)
			in.digest(inspector.DigestFailed)
			return i.refusal(err, org)
		}
		in.digest(inspector.DigestVerified)
	} else if len(body) > 0 && required {
		metrics.DigestFailures.WithLabelValues("missing").Inc()
		return &apiError{Status: http.StatusBadRequest, Message: "this organization requires a Content-Digest header on requests with a body: Content-Digest: sha-512=:<base64 of the sha-512 of the exact body bytes>:"}
	}
	if !httpsig.Signed(req) {
		if required {
			in.signature(inspector.SignatureMissing, httpsig.Verified{}, nil)
			metrics.SignatureFailures.WithLabelValues("missing").Inc()
			return &apiError{Status: http.StatusUnauthorized, Message: "this organization requires signed requests: send Signature-Input and Signature (RFC 9421, ed25519, a key registered with `openvest org add-key`); see the README, Signing requests"}
		}
		in.signature(inspector.SignatureUnsigned, httpsig.Verified{}, nil)
		return nil
	}
	if !known {
		return nil
	}
	var lookupErr error
	v := &httpsig.Verifier{
		Now: i.now, Skew: i.skew,
		Keys: func(keyID string) (ed25519.PublicKey, error) {
			k, err := i.auth.VerificationKey(ctx, org.ID, keyID)
			if err != nil {
				if _, ok := errcode.As(err); !ok {
					lookupErr = err
				}
			}
			return k, err
		},
	}
	verified, err := v.Verify(req, i.targetURI(req), httpsig.RequiredComponents(req.Method, len(body) > 0, tokenCall, req.Header))
	if lookupErr != nil {
		return lookupErr
	}
	if err != nil {
		in.signature(inspector.SignatureFailed, verified, err)
		countSignatureFailure(err)
		return i.refusal(err, org)
	}
	in.signature(inspector.SignatureVerified, verified, nil)
	return nil
}

// refusal renders an httpsig error; sandbox organizations also get the
// signature base the server computed, to compare with their own.
func (i *integrity) refusal(err error, org auth.Organization) error {
	var se *httpsig.Error
	if !errors.As(err, &se) {
		return err
	}
	ae := &apiError{Status: se.Status, Message: se.Reason}
	if org.Sandbox {
		ae.SignatureBase = se.Base
	}
	return ae
}

// targetURI is the request's full URI as the client addressed it.
func (i *integrity) targetURI(req *http.Request) string {
	if i.publicURL != "" {
		return i.publicURL + req.URL.RequestURI()
	}
	scheme := "http"
	if req.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + req.Host + req.URL.RequestURI()
}
