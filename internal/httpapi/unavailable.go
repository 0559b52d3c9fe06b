package httpapi

import (
	"net/http"
	"strconv"
)

// retryAfterSeconds is the Retry-After of a 503 while the database is out.
const retryAfterSeconds = 2

// unavailableError is the 503 answered while the database cannot be
// reached: a retry later can succeed, unlike after a 500.
func unavailableError() *apiError {
	return &apiError{
		Status:  http.StatusServiceUnavailable,
		Message: "the service is temporarily unavailable: its database cannot be reached; retry after " + strconv.Itoa(retryAfterSeconds) + " seconds",
		Header:  http.Header{"Retry-After": {strconv.Itoa(retryAfterSeconds)}},
	}
}
