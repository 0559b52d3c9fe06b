package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/openvest/openvest/internal/config"
)

// healthcheck runs `openvest healthcheck`: it asks /readyz of the service
// listening on OPENVEST_ADDR and succeeds only on 200. The container image
// has no shell or curl, so its HEALTHCHECK runs this.
func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := newCommand("healthcheck [--timeout 3s]", "Exit 0 when GET /readyz on the address of OPENVEST_ADDR answers 200, 1 otherwise.", stdout, stderr)
	timeout := c.Duration("timeout", 3*time.Second, "how long to wait for the answer")
	if err := c.parse(args, 0); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	url, err := readyzURL(cfg.Addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: GET %s answered %s", url, res.Status)
	}
	fmt.Fprintln(stdout, "ready")
	return nil
}

// readyzURL is the /readyz URL of the service listening on addr (":8080"
// and "0.0.0.0:8080" are reached on the loopback address).
func readyzURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("OPENVEST_ADDR=%q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
