package http

import (
	"fmt"
	"io"
	nethttp "net/http"

	"github.com/VictoriaMetrics/metrics"
	"github.com/gin-gonic/gin"
)

// newMetrics makes the server's own set of Prometheus metrics: request
// latency by route, and gauges read when /metrics is scraped (index lag,
// outbox depth, messages taken in and skipped by the mailboxes).
func (s *Server) newMetrics() *metrics.Set {
	set := metrics.NewSet()
	set.NewGauge("searchdesk_feed_seq", func() float64 { return float64(s.eng.LastSeq()) })
	set.NewGauge("searchdesk_index_lag", func() float64 {
		return float64(s.eng.LastSeq() - min(s.idx.Applied(), s.eng.LastSeq()))
	})
	set.NewGauge("searchdesk_outbox_depth", func() float64 {
		n, err := s.eng.OutboxDepth()
		if err != nil {
			s.log.Warn("metrics: outbox depth", "err", err)
		}
		return float64(n)
	})
	return set
}

// observe records a request's latency under its route pattern (never the
// raw path, which would make one series per ticket).
func (s *Server) observe(c *gin.Context, seconds float64) {
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	s.metrics.GetOrCreatePrometheusHistogram(fmt.Sprintf(`searchdesk_http_request_duration_seconds{method=%q,route=%q}`,
		c.Request.Method, route)).Update(seconds)
}

// metricsPage writes the metrics in Prometheus' text format, with intake
// counts per mailbox from the store.
func (s *Server) metricsPage(c *gin.Context) {
	c.Header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	c.Status(nethttp.StatusOK)
	s.metrics.WritePrometheus(c.Writer)
	s.writeIntake(c.Writer)
}

func (s *Server) writeIntake(w io.Writer) {
	boxes, err := s.eng.MailboxStates()
	if err != nil {
		s.log.Warn("metrics: mailboxes", "err", err)
		return
	}
	if len(boxes) == 0 {
		return
	}
	fmt.Fprintln(w, "# TYPE searchdesk_intake_stored_total counter")
	for _, b := range boxes {
		fmt.Fprintf(w, "searchdesk_intake_stored_total{mailbox=%q} %d\n", b.MailboxID, b.Stored)
	}
	fmt.Fprintln(w, "# TYPE searchdesk_intake_skipped_total counter")
	for _, b := range boxes {
		fmt.Fprintf(w, "searchdesk_intake_skipped_total{mailbox=%q} %d\n", b.MailboxID, b.Skipped)
	}
}
