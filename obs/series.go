package obs

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// seriesPair is a request counter and its duration histogram, with the
// same labels but the status code, which only the counter has.
type seriesPair struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

type httpKey struct {
	route, layer string
	status       int
}

type gqlKey struct{ operation, outcome string }

type storeKey struct{ method, outcome string }

// httpPair is the series of a request by route, layer and status.
func (m *Metrics) httpPair(route, layer string, status int) *seriesPair {
	k := httpKey{route, layer, status}
	if p, ok := m.httpSeries.Load(k); ok {
		return p.(*seriesPair)
	}
	p, _ := m.httpSeries.LoadOrStore(k, &seriesPair{
		requests: m.httpRequests.WithLabelValues(route, layer, strconv.Itoa(status)),
		duration: m.httpDuration.WithLabelValues(route, layer),
	})
	return p.(*seriesPair)
}

// gqlPair is the series of a GraphQL request by operation and outcome.
func (m *Metrics) gqlPair(operation, outcome string) *seriesPair {
	k := gqlKey{operation, outcome}
	if p, ok := m.gqlSeries.Load(k); ok {
		return p.(*seriesPair)
	}
	p, _ := m.gqlSeries.LoadOrStore(k, &seriesPair{
		requests: m.gqlRequests.WithLabelValues(operation, outcome),
		duration: m.gqlDuration.WithLabelValues(operation, outcome),
	})
	return p.(*seriesPair)
}

// observeStore records a store call by method and outcome.
func (m *Metrics) observeStore(method, outcome string, elapsed time.Duration) {
	k := storeKey{method, outcome}
	o, ok := m.storeSeries.Load(k)
	if !ok {
		o, _ = m.storeSeries.LoadOrStore(k, m.storeDuration.WithLabelValues(method, outcome))
	}
	o.(prometheus.Observer).Observe(elapsed.Seconds())
}
