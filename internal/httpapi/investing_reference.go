package httpapi

import (
	"bytes"
	"encoding/json"

	"github.com/openvest/openvest/gen/api"
)

// referenceID is a request's referenceId as stored: the string sent, or
// the decimal string of the integer sent (the vendor's guide sends
// 123456). The spec has already validated it as one or the other.
func referenceID(in *api.ReferenceIdInput) *string {
	if in == nil {
		return nil
	}
	raw, err := in.MarshalJSON()
	if err != nil {
		return nil
	}
	var s string
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte(`"`)) {
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		return &s
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&n) != nil {
		return nil
	}
	s = n.String()
	return &s
}
