package httpapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/openvest/openvest/internal/apitest"
)

// BenchmarkTokenWrongSecret times a token call with a wrong secret for a
// known and for an unknown client id (rate limits off): the two should
// take the same time, so that timing does not tell which client ids exist.
//
//	go test -run '^$' -bench BenchmarkTokenWrongSecret -benchtime 2000x -count 3 ./internal/httpapi
func BenchmarkTokenWrongSecret(b *testing.B) {
	env := apitest.Start(b, apitest.Options{})
	tn := env.NewTenant(b, apitest.TenantOptions{Sandbox: true})
	client := &http.Client{} // not validating: the benchmark times the server
	for _, c := range []struct{ name, clientID string }{{"known", tn.Org.ClientID}, {"unknown", "ov_client_0123456789abcdef"}} {
		b.Run(c.name, func(b *testing.B) {
			body := url.Values{"clientId": {c.clientID}, "clientSecret": {"ov_secret_wrong"}}.Encode()
			for b.Loop() {
				res, err := client.Post(env.Server.URL+"/v1/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				_ = res.Body.Close()
				if res.StatusCode != http.StatusUnauthorized {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
		})
	}
}
