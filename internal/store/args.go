package store

import (
	"strconv"
	"time"
)

// argList is the arguments of a PostgreSQL statement written for them,
// equal values sharing one: each of text, numeric, bigint, timestamptz and
// nullText returns the argument its value takes (a new one, or the earlier
// one of the same SQL type and an equal value), and placeholder writes it
// as CAST($n AS type). Each argument is a value pgx plans and encodes and
// PostgreSQL binds, so a statement that repeats an organization, a status
// or a timestamp in every row sends it once. The statement's text depends
// on which values were equal: key is that pattern, to cache the text by.
//
// A value is boxed only when it is a new argument. Times compare with ==
// (the same clock reading); times equal as instants but not as values only
// cost an argument each.
type argList struct {
	args  []any
	types []string
	uses  []byte // the argument of each use, two bytes each
}

// newArgList has room for uses uses of about distinct arguments.
func newArgList(uses, distinct int) argList {
	return argList{args: make([]any, 0, distinct), types: make([]string, 0, distinct), uses: make([]byte, 0, 2*uses)}
}

func (l *argList) text(s string) int {
	return l.string(s, "text")
}

// numeric is a decimal written as text (what PostgreSQL parses it from).
func (l *argList) numeric(s string) int {
	return l.string(s, "numeric")
}

func (l *argList) string(s, typ string) int {
	for i, a := range l.args {
		if v, ok := a.(string); ok && v == s && l.types[i] == typ {
			return l.used(i)
		}
	}
	return l.add(s, typ)
}

func (l *argList) bigint(n int64) int {
	for i, a := range l.args {
		if v, ok := a.(int64); ok && v == n && l.types[i] == "bigint" {
			return l.used(i)
		}
	}
	return l.add(n, "bigint")
}

func (l *argList) timestamptz(t time.Time) int {
	for i, a := range l.args {
		if v, ok := a.(time.Time); ok && v == t && l.types[i] == "timestamptz" {
			return l.used(i)
		}
	}
	return l.add(t, "timestamptz")
}

// nullText is a NULL of type text.
func (l *argList) nullText() int {
	for i, a := range l.args {
		if a == nil && l.types[i] == "text" {
			return l.used(i)
		}
	}
	return l.add(nil, "text")
}

// optionalText is s, or NULL when s is nil.
func (l *argList) optionalText(s *string) int {
	if s == nil {
		return l.nullText()
	}
	return l.text(*s)
}

func (l *argList) add(v any, typ string) int {
	l.args = append(l.args, v)
	l.types = append(l.types, typ)
	return l.used(len(l.args) - 1)
}

func (l *argList) used(i int) int {
	l.uses = append(l.uses, byte(i>>8), byte(i))
	return i
}

// placeholderOfUse is the argument of the u-th use (0-based), as the
// statement writes it.
func (l *argList) placeholderOfUse(u int) string {
	return l.placeholder(int(l.uses[2*u])<<8 | int(l.uses[2*u+1]))
}

// placeholder is argument i as the statement writes it.
func (l *argList) placeholder(i int) string {
	return "CAST($" + strconv.Itoa(i+1) + " AS " + l.types[i] + ")"
}

// key is the pattern of the uses: two statements of the same shape with
// the same key have the same text.
func (l *argList) key() string { return string(l.uses) }
