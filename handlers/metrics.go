package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/fileapi/fileapi/models"
)

// Metrics is what fileapi tells Prometheus. Every label takes its values from a small set fixed by the code
// (a dialect, a route template, a method, a status, a grant, a limiter, a message kind): never a user, a file
// id, a key, a path as sent or any other value a client chooses. A nil *Metrics records nothing.
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	signIns   *prometheus.CounterVec
	tokens    *prometheus.CounterVec
	refusals  *prometheus.CounterVec
	delivered *prometheus.CounterVec
	failed    *prometheus.CounterVec

	mu     sync.RWMutex
	routes map[routeKey]routeMetrics // the children of requests and duration, looked up without allocating
}

type routeKey struct {
	dialect, route, method string
	status                 int
}

type routeMetrics struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

// NewMetrics makes fileapi's metrics, with the Go runtime's, the process's and the store's connection pools,
// and the outbox backlog, which is read from the store when Prometheus scrapes.
func NewMetrics(store *models.Store) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fileapi_http_requests_total",
			Help: "HTTP requests answered, by dialect, route template, method and status."}, []string{"dialect", "route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "fileapi_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by dialect, route template and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"dialect", "route", "method"}),
		signIns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fileapi_sign_ins_total",
			Help: "Password sign-ins, by dialect and result (succeeded, failed)."}, []string{"dialect", "result"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fileapi_tokens_issued_total",
			Help: "Access tokens issued, by grant."}, []string{"grant"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fileapi_limiter_refusals_total",
			Help: "Attempts refused by a credential limit (answered 429), by limiter."}, []string{"limiter"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fileapi_outbox_delivered_total",
			Help: "Outbox messages delivered by this instance, by kind."}, []string{"kind"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fileapi_outbox_delivery_failures_total",
			Help: "Failed outbox deliveries by this instance (each is tried again later), by kind."}, []string{"kind"}),
		routes: map[routeKey]routeMetrics{},
	}
	reg.MustRegister(m.requests, m.duration, m.signIns, m.tokens, m.refusals, m.delivered, m.failed,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		outboxBacklog{store})
	for _, p := range store.Pools() {
		reg.MustRegister(collectors.NewDBStatsCollector(p.DB, p.Name))
	}
	return m
}

// Handler serves the metrics in Prometheus's format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// SignIn counts a password sign-in of a dialect.
func (m *Metrics) SignIn(dialect string, ok bool) {
	if m == nil {
		return
	}
	result := "failed"
	if ok {
		result = "succeeded"
	}
	m.signIns.WithLabelValues(dialect, result).Inc()
}

// TokenIssued counts an access token issued through a grant.
func (m *Metrics) TokenIssued(grant string) {
	if m != nil {
		m.tokens.WithLabelValues(grant).Inc()
	}
}

// Refused counts an attempt refused by the named credential limit.
func (m *Metrics) Refused(limiter string) {
	if m != nil {
		m.refusals.WithLabelValues(limiter).Inc()
	}
}

// Delivered counts an outbox message delivered (ok) or a failed delivery.
func (m *Metrics) Delivered(kind string, ok bool) {
	if m == nil {
		return
	}
	if kind != models.MessageEmail && kind != models.MessageSMS {
		kind = "other"
	}
	if ok {
		m.delivered.WithLabelValues(kind).Inc()
	} else {
		m.failed.WithLabelValues(kind).Inc()
	}
}

// observe is the middleware that counts each request and times it, by the route that served it.
func (m *Metrics) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		k := routeKey{dialect: dialectOf(c.Request.URL.Path), route: c.FullPath(), method: methodLabel(c.Request.Method),
			status: c.Writer.Status()}
		if k.route == "" {
			k.route = "unmatched"
		}
		rm := m.route(k)
		rm.requests.Inc()
		rm.duration.Observe(time.Since(start).Seconds())
	}
}

// route returns the metrics of one label set, made on first use.
func (m *Metrics) route(k routeKey) routeMetrics {
	m.mu.RLock()
	rm, ok := m.routes[k]
	m.mu.RUnlock()
	if ok {
		return rm
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if rm, ok = m.routes[k]; !ok {
		rm = routeMetrics{requests: m.requests.WithLabelValues(k.dialect, k.route, k.method, statusLabel(k.status)),
			duration: m.duration.WithLabelValues(k.dialect, k.route, k.method)}
		m.routes[k] = rm
	}
	return rm
}

// dialectOf names the dialect that owns a path (as byDialect answers it).
func dialectOf(p string) string {
	switch {
	case strings.HasPrefix(p, workspacePrefix):
		return "workspace"
	case strings.HasPrefix(p, "/auth/v1/"), strings.HasPrefix(p, "/management/v1/"):
		return "zitadel"
	case strings.HasPrefix(p, "/oauth/v2/"), strings.HasPrefix(p, "/.well-known/"):
		return "oauth"
	case p == "/openapi.yaml":
		return "docs"
	}
	return "saasu"
}

// methodLabel keeps the methods HTTP defines and calls any other "other": a client picks the method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

func statusLabel(code int) string {
	if code < 100 || code > 999 {
		return "other"
	}
	return strconv.Itoa(code)
}

// outboxBacklog reports the unsent messages and the age of the oldest when Prometheus scrapes: one count over
// the whole fleet's outbox, whichever instance is asked.
type outboxBacklog struct{ store *models.Store }

var (
	outboxPendingDesc = prometheus.NewDesc("fileapi_outbox_pending", "Outbox messages not sent yet (the whole database's).", nil, nil)
	outboxAgeDesc     = prometheus.NewDesc("fileapi_outbox_oldest_pending_age_seconds",
		"Age of the oldest message not sent yet; 0 when there is none.", nil, nil)
)

func (o outboxBacklog) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxPendingDesc
	ch <- outboxAgeDesc
}

func (o outboxBacklog) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	pending, oldest, err := o.store.OutboxBacklog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxPendingDesc, err)
		return
	}
	age := 0.0
	if !oldest.IsZero() {
		age = max(0, o.store.Now().Sub(oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(outboxPendingDesc, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
}

// Admin is the operator's surface, served apart from the API (serve --admin-addr): /healthz answers while
// the process runs, /readyz while the database answers and its schema is at this binary's version (else 503),
// /metrics in Prometheus's format.
func Admin(store *models.Store, m *Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := store.Ready(ctx); err != nil {
			w.Header().Set("Retry-After", "5")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: " + err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", m.Handler())
	return mux
}
