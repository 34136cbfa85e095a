package ingest

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Progress shows long work: on a terminal a bar redrawn at most ten times a
// second, otherwise one log line every Interval (and at the end of each
// phase). A nil *Progress shows nothing. It is safe for concurrent use.
type Progress struct {
	w        io.Writer
	terminal bool
	Interval time.Duration // log-line period when not on a terminal; default 5s

	mu          sync.Mutex
	phase, unit string
	total, done int64
	start, last time.Time
}

// NewProgress writes to w; terminal selects the redrawn bar.
func NewProgress(w io.Writer, terminal bool) *Progress {
	return &Progress{w: w, terminal: terminal, Interval: 5 * time.Second}
}

// Start begins a phase of total units (0 if unknown).
func (p *Progress) Start(phase string, total int64, unit string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.phase, p.unit, p.total, p.done = phase, unit, total, 0
	p.start, p.last = time.Now(), time.Now()
	if !p.terminal {
		if total > 0 {
			fmt.Fprintf(p.w, "%s: started (%s)\n", phase, amount(total, unit))
		} else {
			fmt.Fprintf(p.w, "%s: started\n", phase)
		}
	}
}

// Add records n more units done.
func (p *Progress) Add(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	now := time.Now()
	switch {
	case p.terminal && now.Sub(p.last) >= 100*time.Millisecond:
		p.last = now
		fmt.Fprint(p.w, "\r\x1b[K"+p.line(now))
	case !p.terminal && now.Sub(p.last) >= p.Interval:
		p.last = now
		fmt.Fprintln(p.w, p.line(now))
	}
}

// Done ends the phase with a final line.
func (p *Progress) Done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.terminal {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	took := now.Sub(p.start).Round(time.Millisecond)
	if p.unit == "" {
		fmt.Fprintf(p.w, "%s: done in %s\n", p.phase, took)
		return
	}
	fmt.Fprintf(p.w, "%s: done, %s in %s (%s/s)\n", p.phase, amount(p.done, p.unit),
		took, amount(int64(float64(p.done)/max(now.Sub(p.start).Seconds(), 1e-9)), p.unit))
}

func (p *Progress) line(now time.Time) string {
	el := now.Sub(p.start).Seconds()
	rate := float64(p.done) / max(el, 1e-9)
	if p.total <= 0 {
		return fmt.Sprintf("%s %s (%s/s)", p.phase, amount(p.done, p.unit), amount(int64(rate), p.unit))
	}
	frac := min(float64(p.done)/float64(p.total), 1)
	eta := "?"
	if rate > 0 {
		eta = (time.Duration(float64(p.total-p.done)/rate) * time.Second).Round(time.Second).String()
	}
	if p.terminal {
		const width = 30
		fill := int(frac * width)
		return fmt.Sprintf("%-9s %s%s %5.1f%% %s/%s %s/s ETA %s", p.phase, strings.Repeat("█", fill), strings.Repeat("░", width-fill),
			100*frac, amount(p.done, ""), amount(p.total, p.unit), amount(int64(rate), p.unit), eta)
	}
	return fmt.Sprintf("%s: %5.1f%% (%s of %s, %s/s, ETA %s)", p.phase, 100*frac, amount(p.done, ""), amount(p.total, p.unit), amount(int64(rate), p.unit), eta)
}

// amount formats n with a k/M/G suffix (binary for bytes).
func amount(n int64, unit string) string {
	f, base := float64(n), 1000.0
	if unit == "bytes" {
		base = 1024
	}
	s := ""
	for _, suf := range []string{"k", "M", "G", "T"} {
		if f < base {
			break
		}
		f /= base
		s = suf
	}
	num := fmt.Sprintf("%.0f", f)
	if s != "" {
		num = fmt.Sprintf("%.1f%s", f, s)
	}
	if unit == "bytes" && s != "" {
		num += "i"
	}
	if unit == "" {
		return num
	}
	return num + " " + unit
}
