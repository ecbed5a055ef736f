package obs

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// The response cache's metrics: its hits and misses, the 304s answered
// without running a request, and what it holds.
var (
	responseCacheBytes   = prometheus.NewDesc("areagraph_response_cache_bytes", "Bytes of answers the response cache holds, as it counts them.", nil, nil)
	responseCacheEntries = prometheus.NewDesc("areagraph_response_cache_entries", "Answers the response cache holds.", nil, nil)
)

func newCacheCounters() (lookups, notModified *prometheus.CounterVec) {
	lookups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "areagraph_response_cache_lookups_total",
		Help: `Anonymous reads looked up in the response cache, by route and result ("hit" or "miss").`,
	}, []string{"route", "result"})
	notModified = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "areagraph_not_modified_total",
		Help: "Reads answered 304 Not Modified because the client's tag still held, by route.",
	}, []string{"route"})
	return lookups, notModified
}

// ResponseCache counts a lookup of route in the response cache.
func (m *Metrics) ResponseCache(route string, hit bool) {
	result := "miss"
	if hit {
		result = "hit"
	}
	m.cacheLookups.WithLabelValues(route, result).Inc()
}

// NotModified counts a 304 of route.
func (m *Metrics) NotModified(route string) {
	m.notModified.WithLabelValues(route).Inc()
}

// WatchResponseCache exports the size of the response cache, read at
// each scrape. Watching a second cache with the same Metrics is ignored.
func (m *Metrics) WatchResponseCache(bytes func() int64, entries func() int) {
	err := m.reg.Register(cacheCollector{bytes, entries})
	if err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
		panic(err)
	}
}

type cacheCollector struct {
	bytes   func() int64
	entries func() int
}

func (c cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- responseCacheBytes
	ch <- responseCacheEntries
}

func (c cacheCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(responseCacheBytes, prometheus.GaugeValue, float64(c.bytes()))
	ch <- prometheus.MustNewConstMetric(responseCacheEntries, prometheus.GaugeValue, float64(c.entries()))
}
