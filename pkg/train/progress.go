package train

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// progress shows one seed's training: a redrawn bar on a terminal, a log
// line every tenth of the run otherwise.
type progress struct {
	w        io.Writer
	terminal bool
	label    string
	total    int
	start    time.Time
	last     time.Time
}

func newProgress(w io.Writer, terminal bool, label string, total int) *progress {
	return &progress{w: w, terminal: terminal, label: label, total: total, start: time.Now()}
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "  -  "
	}
	return fmt.Sprintf("%5.2f", 100*v)
}

func (p *progress) update(e Epoch) {
	if p == nil || p.w == nil {
		return
	}
	stats := fmt.Sprintf("loss %.4f train %s val %s test %s | best val %s test %s",
		e.Loss, pct(e.TrainAcc), pct(e.ValAcc), pct(e.TestAcc), pct(e.BestValAcc), pct(e.BestTestAcc))
	if p.terminal {
		// Redraw at most 20 times a second, and always at the end.
		if now := time.Now(); now.Sub(p.last) < 50*time.Millisecond && e.Epoch != p.total {
			return
		} else {
			p.last = now
		}
		const width = 24
		fill := width * e.Epoch / max(p.total, 1)
		bar := strings.Repeat("█", fill) + strings.Repeat("░", width-fill)
		fmt.Fprintf(p.w, "\r\x1b[K%s %s %d/%d %s", p.label, bar, e.Epoch, p.total, stats)
		return
	}
	step := max(p.total/10, 1)
	if e.Epoch%step == 0 || e.Epoch == p.total || e.Epoch == 1 {
		fmt.Fprintf(p.w, "%s epoch %d/%d %s (%.1fs)\n", p.label, e.Epoch, p.total, stats, time.Since(p.start).Seconds())
	}
}

func (p *progress) done() {
	if p != nil && p.w != nil && p.terminal {
		fmt.Fprintln(p.w)
	}
}
