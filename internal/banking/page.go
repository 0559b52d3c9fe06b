package banking

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/openvest/openvest/internal/errcode"
)

// The page sizes of lists.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// PageRequest asks for one page of a list, newest first. Cursor is empty
// for the first page and a previous page's NextCursor after that.
type PageRequest struct {
	Limit  int // 1..MaxLimit; DefaultLimit when 0
	Cursor string
}

// Page is one page of a list. NextCursor is empty when HasMore is false.
type Page[T any] struct {
	Items      []T
	HasMore    bool
	NextCursor string
}

// Position is a place in a list sorted by creation time, newest first,
// ties broken by id (descending). A page holds the items strictly after it.
type Position struct {
	CreatedAt time.Time
	ID        string
}

// cursorVersion starts every cursor, so the format can change later.
const cursorVersion = "1"

// encode renders p as an opaque cursor.
func (p Position) encode() string {
	raw := cursorVersion + "." + strconv.FormatInt(p.CreatedAt.UnixMicro(), 10) + "." + p.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// resolve checks the page request and decodes its cursor: nil for the
// first page. Invalid, naming limit or cursor.
func (r PageRequest) resolve() (limit int, after *Position, err error) {
	limit = r.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	if limit < 1 || limit > MaxLimit {
		return 0, nil, invalid("the page request is not valid", []errcode.FieldError{{Field: "limit", In: "query", Message: "must be between 1 and 100"}})
	}
	if r.Cursor == "" {
		return limit, nil, nil
	}
	bad := invalid("the page request is not valid", []errcode.FieldError{{Field: "cursor", In: "query", Message: "is not a cursor this list returned; pass next_cursor from the previous page, or omit it for the first page"}})
	raw, err := base64.RawURLEncoding.DecodeString(r.Cursor)
	if err != nil {
		return 0, nil, bad
	}
	parts := strings.SplitN(string(raw), ".", 3)
	if len(parts) != 3 || parts[0] != cursorVersion || parts[2] == "" {
		return 0, nil, bad
	}
	micros, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return 0, nil, bad
	}
	return limit, &Position{CreatedAt: time.UnixMicro(micros).UTC(), ID: parts[2]}, nil
}

// paginate turns up to limit+1 rows read after a position into a page:
// the extra row only says that there is more.
func paginate[T any](rows []T, limit int, pos func(T) Position) Page[T] {
	if len(rows) <= limit {
		return Page[T]{Items: rows}
	}
	rows = rows[:limit]
	return Page[T]{Items: rows, HasMore: true, NextCursor: pos(rows[limit-1]).encode()}
}
