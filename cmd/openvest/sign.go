package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/openvest/openvest/httpsig"
)

// sign runs `openvest sign`: it prepares a request the way the API expects
// it (token, client id, idempotency key, Content-Digest, RFC 9421
// signature) and prints it as a curl command, or sends it with --exec.
func sign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newCommand("sign --key FILE --key-id KEYID --client-id ID [--token TOKEN] [-X METHOD] [-d BODY] [--exec] URL",
		"Print a signed curl command for URL (or, with --exec, send it and print the response).", stdout, stderr)
	keyFile := fs.String("key", "", "PEM file of the ed25519 private key (openssl genpkey -algorithm ed25519)")
	keyID := fs.String("key-id", "", "the key id registered with openvest org add-key (required)")
	clientID := fs.String("client-id", "", "the organization's client id (required)")
	token := fs.String("token", "", "a bearer token (omit for the token call)")
	method := fs.String("X", "", "HTTP method (default GET, or POST with -d)")
	data := fs.String("d", "", "request body")
	contentType := fs.String("content-type", "", "Content-Type of the body (default application/json)")
	form := fs.String("form", "rfc9421", "rfc9421 (sign the signature base) or sha512 (sign its sha-512, as the investing docs describe)")
	docsNames := fs.Bool("docs-names", false, `write component names as the investing docs do ("Content-Type") instead of lowercase`)
	exec := fs.Bool("exec", false, "send the request and print the response instead of the curl command")
	if err := fs.parse(args, 1, "key", keyFile, "key-id", keyID, "client-id", clientID); err != nil {
		return err
	}
	pem, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	key, err := httpsig.ParsePrivateKey(pem)
	if err != nil {
		return fmt.Errorf("--key %s: %w", *keyFile, err)
	}
	signer := &httpsig.Signer{KeyID: *keyID, Key: key, DocsNames: *docsNames}
	switch *form {
	case "rfc9421":
	case "sha512":
		signer.Form = httpsig.FormSHA512
	default:
		return fmt.Errorf("--form %q: use rfc9421 or sha512", *form)
	}
	m := strings.ToUpper(*method)
	if m == "" {
		m = http.MethodGet
		if *data != "" {
			m = http.MethodPost
		}
	}
	req, err := http.NewRequestWithContext(ctx, m, fs.Arg(0), strings.NewReader(*data))
	if err != nil {
		return err
	}
	tokenCall := httpsig.TokenCall(req.Method, req.URL.Path)
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	if !tokenCall {
		req.Header.Set("X-Client-Id", *clientID)
	}
	if *data != "" {
		ct := *contentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	switch m {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		if !strings.Contains(req.URL.Path, "/oauth/") {
			req.Header.Set("X-Idempotency-Key", httpsig.NewIdempotencyKey())
		}
	}
	if err := signer.Sign(req, []byte(*data)); err != nil {
		return err
	}
	if !*exec {
		fmt.Fprintln(stdout, curl(req, *data))
		return nil
	}
	req.Body = io.NopCloser(bytes.NewReader([]byte(*data)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	fmt.Fprintln(stdout, res.Proto, res.Status)
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(body))
	return nil
}

// curl renders req as a curl command, one header per line.
func curl(req *http.Request, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "curl --request %s \\\n  --url %s", req.Method, shellQuote(req.URL.String()))
	names := make([]string, 0, len(req.Header))
	for k := range req.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range req.Header[k] {
			fmt.Fprintf(&b, " \\\n  --header %s", shellQuote(k+": "+v))
		}
	}
	if body != "" {
		fmt.Fprintf(&b, " \\\n  --data-raw %s", shellQuote(body))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
