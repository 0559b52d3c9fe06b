package store

import "strconv"

// argList is the arguments of a PostgreSQL statement written for them,
// equal values sharing one: use returns the argument a value of an SQL type
// takes (a new one, or the earlier one with the same type and an equal
// value), and placeholder writes it as CAST($n AS type). Each argument is
// a value pgx plans and encodes and PostgreSQL binds, so a statement that
// repeats an organization, a status or a timestamp in every row sends it
// once. The statement's text depends on which values were equal: key is
// that pattern, to cache the text by.
//
// Values compare with ==: strings, integers, nil and time.Time taken from
// one clock reading (times equal as instants but not as values only cost
// an argument each).
type argList struct {
	args  []any
	types []string
	uses  []byte // the argument of each use, two bytes each
}

func (l *argList) use(v any, typ string) int {
	i := l.find(v, typ)
	if i < 0 {
		i = len(l.args)
		l.args = append(l.args, v)
		l.types = append(l.types, typ)
	}
	l.uses = append(l.uses, byte(i>>8), byte(i))
	return i
}

func (l *argList) find(v any, typ string) int {
	for i, a := range l.args {
		if l.types[i] == typ && a == v {
			return i
		}
	}
	return -1
}

// placeholder is argument i as the statement writes it.
func (l *argList) placeholder(i int) string {
	return "CAST($" + strconv.Itoa(i+1) + " AS " + l.types[i] + ")"
}

// key is the pattern of the uses: two statements of the same shape with
// the same key have the same text.
func (l *argList) key() string { return string(l.uses) }
