package rpc

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// Metrics counts a server's calls for Prometheus, per method: calls by
// status code, their latency, and the bytes received and sent on the
// wire. Register it with a registry of the caller's (no global state) and
// install it with its ServerOption.
type Metrics struct {
	calls    *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
	received *prometheus.CounterVec
	sent     *prometheus.CounterVec
}

// NewMetrics returns the metrics, registered with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gnnscale_rpc_calls_total", Help: "Calls served, by method and status code.",
		}, []string{"method", "code"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gnnscale_rpc_call_seconds", Help: "Time from a call's start to its end, by method.",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 18), // 50 us to 6.5 s
		}, []string{"method"}),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gnnscale_rpc_received_bytes_total", Help: "Message bytes received on the wire, by method.",
		}, []string{"method"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gnnscale_rpc_sent_bytes_total", Help: "Message bytes sent on the wire, by method.",
		}, []string{"method"}),
	}
	reg.MustRegister(m.calls, m.seconds, m.received, m.sent)
	return m
}

// ServerOption installs the metrics on a server.
func (m *Metrics) ServerOption() grpc.ServerOption { return grpc.StatsHandler(metricsHandler{m}) }

type methodKey struct{}

// metricsHandler is the grpc stats.Handler behind Metrics.
type metricsHandler struct{ m *Metrics }

func (h metricsHandler) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	return context.WithValue(ctx, methodKey{}, info.FullMethodName)
}

func (h metricsHandler) HandleRPC(ctx context.Context, s stats.RPCStats) {
	method, _ := ctx.Value(methodKey{}).(string)
	switch s := s.(type) {
	case *stats.InPayload:
		h.m.received.WithLabelValues(method).Add(float64(s.WireLength))
	case *stats.OutPayload:
		h.m.sent.WithLabelValues(method).Add(float64(s.WireLength))
	case *stats.End:
		h.m.calls.WithLabelValues(method, status.Code(s.Error).String()).Inc()
		h.m.seconds.WithLabelValues(method).Observe(s.EndTime.Sub(s.BeginTime).Seconds())
	}
}

func (metricsHandler) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (metricsHandler) HandleConn(context.Context, stats.ConnStats)                       {}
