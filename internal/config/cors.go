package config

import (
	"fmt"
	"regexp"
	"strings"
)

// corsOrigin is "*" or scheme://host[:port], the host and port possibly
// with "*" wildcards, and no path.
var corsOrigin = regexp.MustCompile(`^(\*|https?://[A-Za-z0-9.*\-\[\]:]+(:(\d+|\*))?)$`)

// ParseCORSOrigins parses OPENVEST_CORS_ORIGINS: a comma-separated list of
// origins ("*" for any). Empty allows none.
func ParseCORSOrigins(v string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(v, ",") {
		o := strings.TrimRight(strings.TrimSpace(part), "/")
		if o == "" {
			continue
		}
		if !corsOrigin.MatchString(o) || strings.Count(o, "://") > 1 {
			return nil, fmt.Errorf("OPENVEST_CORS_ORIGINS: %q is not an origin; use * or scheme://host[:port] without a path, such as http://localhost:3000 or http://localhost:*", o)
		}
		out = append(out, o)
	}
	return out, nil
}
