package market

import (
	"encoding/binary"
	"hash/fnv"
	"time"
)

// Volume is the number of shares the sandbox market trades of a symbol in
// the hour that starts at hour (truncated to the hour, UTC): a
// deterministic draw between 1,000 and 100,999 shares, the same on every
// machine. The volume of a longer bar is the sum of its hours.
func Volume(symbol string, hour time.Time) int64 {
	h := fnv.New64a()
	h.Write([]byte("volume:" + symbol))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(hour.UTC().Truncate(time.Hour).Unix()))
	h.Write(b[:])
	return 1000 + int64(h.Sum64()%100000)
}

// Listed is when the sandbox catalog's instruments were listed: the day
// their price walks start from.
func Listed() time.Time { return anchor }
