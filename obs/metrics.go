package obs

import (
	"errors"
	"net/http"
	"sync"

	"github.com/areagraph/areagraph/db"
	"github.com/areagraph/areagraph/internal/buildinfo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Label values that stand for many.
const (
	// Anonymous is the operation label of an operation without a name.
	Anonymous = "anonymous"
	// Other stands for every value past a label's cap, and for values that
	// are not to be trusted as labels at all (an unknown layer).
	Other = "other"
)

// Caps on the distinct values of a label that clients choose. Every value
// is a time series kept for the life of the process, so a client sending
// a new operation name with every request must not grow memory or the
// monitoring bill without end.
const (
	MaxOperationLabels = 200
	MaxLayerLabels     = 50
)

// Metrics holds the service's Prometheus metrics in a registry of its own,
// so that tests and several servers in one process do not collide.
type Metrics struct {
	reg *prometheus.Registry

	inFlight      prometheus.Gauge
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	gqlRequests   *prometheus.CounterVec
	gqlDuration   *prometheus.HistogramVec
	storeDuration *prometheus.HistogramVec
	cacheLookups  *prometheus.CounterVec
	notModified   *prometheus.CounterVec

	operations *labelSet
	layers     *labelSet

	// The series a request or a store call counts in, found once by
	// their labels and then kept (series.go): a lookup by labels on every
	// request was most of what the metrics cost. Every key is made of
	// bounded labels, so these hold no more than the vectors do.
	httpSeries  sync.Map // httpKey → *seriesPair
	gqlSeries   sync.Map // gqlKey → *seriesPair
	storeSeries sync.Map // storeKey → prometheus.Observer

	poolOnce        sync.Once
	replicationOnce sync.Once
}

// storeBuckets reach lower than the default buckets: most store calls take
// a millisecond or less, and that is where a regression shows first.
var storeBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewMetrics registers the service's metrics, and the Go runtime's and the
// process's, in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "areagraph_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "areagraph_http_requests_total",
			Help: "HTTP requests by route, map layer (map routes only) and status code.",
		}, []string{"route", "layer", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "areagraph_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route and map layer (map routes only).",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "layer"}),
		gqlRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "areagraph_graphql_requests_total",
			Help: `GraphQL requests by operation name and outcome ("ok" or the error code).`,
		}, []string{"operation", "outcome"}),
		gqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "areagraph_graphql_request_duration_seconds",
			Help:    "Time to serve a GraphQL request, by operation name and outcome.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "outcome"}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "areagraph_store_call_duration_seconds",
			Help:    `Time of a call to the store, by method and outcome ("ok" or the error code).`,
			Buckets: storeBuckets,
		}, []string{"method", "outcome"}),
		operations: newLabelSet(MaxOperationLabels),
		layers:     newLabelSet(MaxLayerLabels),
	}
	m.cacheLookups, m.notModified = newCacheCounters()
	m.reg.MustRegister(buildInfoGauge(buildinfo.Read()), m.inFlight, m.httpRequests, m.httpDuration, m.gqlRequests, m.gqlDuration, m.storeDuration,
		m.cacheLookups, m.notModified,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where the metrics are registered; add more there.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// PoolStatser is a store that can tell how its connection pool is used.
type PoolStatser interface {
	PoolStats() (acquired, idle, total int32)
}

// WatchPool exports the pool of store when it is a PoolStatser, read at
// each scrape, and reports whether it is. Watching a second store with the
// same Metrics is ignored: the series would clash.
func (m *Metrics) WatchPool(store any) bool {
	p, ok := store.(PoolStatser)
	if !ok {
		return false
	}
	m.registerOnce(&m.poolOnce, poolCollector{p})
	return true
}

// registerOnce registers c the first time once is done.
func (m *Metrics) registerOnce(once *sync.Once, c prometheus.Collector) {
	once.Do(func() {
		err := m.reg.Register(c)
		if err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
			panic(err)
		}
	})
}

var (
	poolAcquired = prometheus.NewDesc("areagraph_db_pool_acquired_connections", "Database connections in use.", nil, nil)
	poolIdle     = prometheus.NewDesc("areagraph_db_pool_idle_connections", "Database connections open and idle.", nil, nil)
	poolTotal    = prometheus.NewDesc("areagraph_db_pool_total_connections", "Database connections open, or being opened.", nil, nil)
)

// poolCollector reads the pool when scraped rather than on a timer, so the
// numbers are as of the scrape and cost nothing in between.
type poolCollector struct{ p PoolStatser }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- poolAcquired
	ch <- poolIdle
	ch <- poolTotal
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	acquired, idle, total := c.p.PoolStats()
	ch <- prometheus.MustNewConstMetric(poolAcquired, prometheus.GaugeValue, float64(acquired))
	ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(idle))
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(total))
}

// ReplicationStatser is a store that reads from replicas of its database
// and can tell how they are and where its reads went.
type ReplicationStatser interface {
	ReplicationStats() db.ReplicationStats
}

// WatchReplication exports the read replicas of store when it is a
// ReplicationStatser, read at each scrape, and reports whether it is. As
// with WatchPool, a second store is ignored.
func (m *Metrics) WatchReplication(store any) bool {
	r, ok := store.(ReplicationStatser)
	if !ok {
		return false
	}
	m.registerOnce(&m.replicationOnce, replicationCollector{r})
	return true
}

var (
	primaryUp = prometheus.NewDesc("areagraph_db_primary_up",
		"1 when the primary database answered its last check, 0 when not; only with read replicas.", nil, nil)
	replicaUp = prometheus.NewDesc("areagraph_db_replica_up",
		"1 when a read replica answered its last check, 0 when not.", []string{"replica"}, nil)
	replicaUsable = prometheus.NewDesc("areagraph_db_replica_usable",
		"1 when reads go to a read replica: it answers and lags within the bound.", []string{"replica"}, nil)
	replicaLag = prometheus.NewDesc("areagraph_db_replica_lag_seconds",
		"How far a read replica is behind the primary: at least this long ago the primary held a write the replica has not replayed.",
		[]string{"replica"}, nil)
	replicaLagBytes = prometheus.NewDesc("areagraph_db_replica_lag_bytes",
		"WAL a read replica had yet to replay at its last check.", []string{"replica"}, nil)
	dbReads = prometheus.NewDesc("areagraph_db_reads_total",
		`Reads by the server that answered ("primary" or "replica") and why it was chosen.`, []string{"server", "reason"}, nil)
)

// replicationCollector reads the store when scraped, as poolCollector.
type replicationCollector struct{ r ReplicationStatser }

func (c replicationCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{primaryUp, replicaUp, replicaUsable, replicaLag, replicaLagBytes, dbReads} {
		ch <- d
	}
}

func (c replicationCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.r.ReplicationStats()
	if len(st.Replicas) == 0 {
		return
	}
	ch <- prometheus.MustNewConstMetric(primaryUp, prometheus.GaugeValue, boolValue(st.PrimaryUp))
	for _, r := range st.Replicas {
		ch <- prometheus.MustNewConstMetric(replicaUp, prometheus.GaugeValue, boolValue(r.Answers), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaUsable, prometheus.GaugeValue, boolValue(r.Up), r.Name)
		ch <- prometheus.MustNewConstMetric(replicaLag, prometheus.GaugeValue, r.Lag, r.Name)
		ch <- prometheus.MustNewConstMetric(replicaLagBytes, prometheus.GaugeValue, float64(r.LagBytes), r.Name)
	}
	for _, r := range st.Routes {
		ch <- prometheus.MustNewConstMetric(dbReads, prometheus.CounterValue, float64(r.Count), r.Server, r.Reason)
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// labelSet admits the first max distinct values of a label and maps every
// later one to Other. A value seen before is found without a lock, as it
// is on nearly every request.
type labelSet struct {
	seen sync.Map // string → struct{}
	mu   sync.Mutex
	max  int
	n    int // values admitted, under mu
}

func newLabelSet(max int) *labelSet {
	return &labelSet{max: max}
}

func (s *labelSet) value(v string) string {
	if _, ok := s.seen.Load(v); ok {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen.Load(v); ok {
		return v
	}
	if s.n >= s.max {
		return Other
	}
	s.seen.Store(v, struct{}{})
	s.n++
	return v
}

// known returns v if it was admitted before, else Other, admitting nothing.
func (s *labelSet) known(v string) string {
	if _, ok := s.seen.Load(v); ok {
		return v
	}
	return Other
}

// buildInfoGauge is areagraph_build_info, constant 1 with the build's
// version and revision as labels, as Prometheus's own exporters do it: a
// dashboard joins it to any other series to tell which build served them,
// and a rollout shows as the label changing.
func buildInfoGauge(bi buildinfo.Info) prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "areagraph_build_info",
		Help: "Always 1; its labels are the running build's module version, VCS revision and Go version.",
		ConstLabels: prometheus.Labels{
			"version":   bi.Version,
			"revision":  bi.Revision,
			"goversion": bi.GoVersion,
		},
	})
	g.Set(1)
	return g
}
