package store

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// AuthChannel is the PostgreSQL notification channel of auth cache invalidations.
const AuthChannel = "openvest_auth"

// NotifyAuth implements auth.Notifier: it sends message on AuthChannel in
// the transaction ctx carries (delivered when it commits), else at once.
// SQLite runs one process: nothing to tell.
func (s *Store) NotifyAuth(ctx context.Context, message string) error {
	if s.Dialect != Postgres {
		return nil
	}
	if err := s.conn(ctx).Exec("SELECT pg_notify(?, ?)", AuthChannel, message).Error; err != nil {
		return fmt.Errorf("notify %s: %w", AuthChannel, err)
	}
	return nil
}

// Listen receives the notifications of channel on a connection of its own
// to databaseURL (a direct one: a transaction pooler drops LISTEN) and
// passes each payload to fn, until ctx ends. It returns once it listens,
// or with the error of the first attempt. When the connection is lost it
// reconnects, with backoff, and calls fn(lost) first, since notifications
// may have been missed meanwhile.
func Listen(ctx context.Context, databaseURL, channel, lost string, fn func(string), log *slog.Logger) error {
	return ListenChannels(ctx, databaseURL, []Listener{{Channel: channel, Lost: lost, Fn: fn}}, log)
}

// Listener is one channel of ListenChannels: Fn gets each payload, and
// Lost after a reconnection.
type Listener struct {
	Channel, Lost string
	Fn            func(string)
}

// ListenChannels is Listen for several channels over one connection.
func ListenChannels(ctx context.Context, databaseURL string, listeners []Listener, log *slog.Logger) error {
	var names []string
	fns := map[string]func(string){}
	for _, l := range listeners {
		names = append(names, l.Channel)
		fns[l.Channel] = l.Fn
	}
	channel := strings.Join(names, ", ")
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", channel, err)
	}
	listen := func() (*pgx.Conn, error) {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("listen on %s: connect: %w", channel, err)
		}
		for _, name := range names {
			if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{name}.Sanitize()); err != nil {
				_ = conn.Close(context.WithoutCancel(ctx))
				return nil, fmt.Errorf("listen on %s: %w", name, err)
			}
		}
		return conn, nil
	}
	conn, err := listen()
	if err != nil {
		return err
	}
	go func() {
		backoff := 100 * time.Millisecond
		for {
			n, err := conn.WaitForNotification(ctx)
			if err == nil {
				if fn := fns[n.Channel]; fn != nil {
					fn(n.Payload)
				}
				continue
			}
			_ = conn.Close(context.WithoutCancel(ctx))
			if ctx.Err() != nil {
				return
			}
			log.Warn("notification listener lost its connection; reconnecting", "channel", channel, "error", err.Error())
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				if conn, err = listen(); err == nil {
					break
				}
				backoff = min(2*backoff, 10*time.Second)
			}
			backoff = 100 * time.Millisecond
			for _, l := range listeners {
				l.Fn(l.Lost)
			}
		}
	}()
	return nil
}
