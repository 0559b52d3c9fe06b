package httpapi_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/openvest/openvest/internal/apitest"
	"github.com/stretchr/testify/require"
)

// privatePostgres is a PostgreSQL cluster of the test's own, in a temporary
// directory, that the test may stop and start.
type privatePostgres struct {
	dir, port string
	asUser    []string // runuser prefix when the test runs as root
}

// startPrivatePostgres creates and starts a cluster with initdb and pg_ctl,
// as the test's user (or as "postgres" when the test runs as root, which
// PostgreSQL refuses); it skips the test when the binaries are absent.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	for _, bin := range []string{"initdb", "pg_ctl"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("PostgreSQL's %s is not on PATH: the restart test needs initdb and pg_ctl to run a private cluster", bin)
		}
	}
	pg := &privatePostgres{}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user: initdb refuses to run as root")
		}
		if _, err := exec.LookPath("runuser"); err != nil {
			t.Skip("running as root without runuser: initdb refuses to run as root")
		}
		pg.asUser = []string{"runuser", "-u", u.Username, "--"}
	}
	base, err := os.MkdirTemp("", "openvest-pg-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(base, 0o777))
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	pg.dir = filepath.Join(base, "data")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	pg.port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	require.NoError(t, l.Close())

	pg.run(t, "initdb", "-D", pg.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions")
	pg.start(t)
	t.Cleanup(func() { _ = pg.cmd("pg_ctl", "-D", pg.dir, "-m", "immediate", "-w", "stop").Run() })
	return pg
}

func (pg *privatePostgres) url() string {
	return "postgres://postgres@127.0.0.1:" + pg.port + "/postgres?sslmode=disable"
}

func (pg *privatePostgres) cmd(name string, args ...string) *exec.Cmd {
	all := append(append(append([]string{}, pg.asUser...), name), args...)
	return exec.Command(all[0], all[1:]...)
}

func (pg *privatePostgres) run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := pg.cmd(name, args...).CombinedOutput()
	require.NoError(t, err, "%s: %s", name, out)
}

func (pg *privatePostgres) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c max_connections=50", pg.port, filepath.Dir(pg.dir))
	pg.run(t, "pg_ctl", "-D", pg.dir, "-o", opts, "-l", filepath.Join(filepath.Dir(pg.dir), "log"), "-w", "-t", "60", "start")
}

// stop shuts the cluster down at once (no checkpoint: the restart recovers
// from the WAL, as after a crash).
func (pg *privatePostgres) stop(t *testing.T) {
	t.Helper()
	pg.run(t, "pg_ctl", "-D", pg.dir, "-m", "immediate", "-w", "stop")
}

// TestPostgresRestartUnderWriteLoad: while writers create customers, the
// database goes down and comes back. During the outage the service answers
// 503 with Retry-After (never 500); after it, writes succeed again; every
// write that was acknowledged (201) is there.
func TestPostgresRestartUnderWriteLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a private PostgreSQL")
	}
	// Not parallel: it runs before the parallel tests start, so that its
	// second cluster and busy writers do not slow down their deadlines.
	pg := startPrivatePostgres(t)
	env := apitest.Start(t, apitest.Options{DatabaseURL: pg.url()})
	tn := env.NewTenant(t, apitest.TenantOptions{Sandbox: true})

	var (
		mu       sync.Mutex
		acked    []string
		statuses = map[int]int{}
		ok503    atomic.Int64
		okAfter  atomic.Int64
		phase    atomic.Int32 // 0 before, 1 down, 2 back up
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	write := func() {
		ref := "outage-" + uuid.NewString()
		body := []byte(`{"firstName":"Jane","lastName":"Banda","referenceId":"` + ref + `"}`)
		req, err := http.NewRequest("POST", env.Server.URL+"/v1/customers", bytes.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		req.Header.Set("Authorization", "Bearer "+tn.Token)
		req.Header.Set("X-Client-Id", tn.Org.ClientID)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Idempotency-Key", uuid.NewString())
		res, err := env.HTTP.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		mu.Lock()
		defer mu.Unlock()
		statuses[res.StatusCode]++
		switch res.StatusCode {
		case http.StatusCreated:
			acked = append(acked, ref)
			if phase.Load() == 2 {
				okAfter.Add(1)
			}
		case http.StatusServiceUnavailable:
			if res.Header.Get("Retry-After") == "" {
				t.Errorf("a 503 without Retry-After")
			}
			ok503.Add(1)
		}
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					write()
				}
			}
		}()
	}
	waitFor := func(what string, cond func() bool) {
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("timed out waiting for %s; statuses so far: %v", what, statuses)
			}
			time.Sleep(20 * time.Millisecond) // polling a condition, with a deadline
		}
	}
	waitFor("writes before the outage", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 20 })
	pg.stop(t)
	phase.Store(1)
	waitFor("503s during the outage", func() bool { return ok503.Load() >= 10 })
	pg.start(t)
	phase.Store(2)
	waitFor("writes after the restart", func() bool { return okAfter.Load() >= 20 })
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("statuses: %v", statuses)
	for code, n := range statuses {
		require.Contains(t, []int{http.StatusCreated, http.StatusServiceUnavailable}, code, "%d answers %d", n, code)
	}
	// Every acknowledged write is there.
	for _, ref := range acked {
		res := tn.Do(t, "GET", "/v1/customers?referenceId="+ref, nil)
		require.Len(t, items(t, res), 1, "acknowledged customer %s is missing", ref)
	}
}
