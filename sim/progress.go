package sim

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a progress line on a terminal. It reads the wall clock,
// which reaches only the terminal, never the outputs.
type progress struct {
	w      io.Writer
	total  int
	n      int
	start  time.Time
	last   time.Time
	drawed bool
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, start: time.Now()}
}

func (p *progress) step() {
	if p.w == nil {
		return
	}
	p.n++
	now := time.Now()
	if p.n < p.total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	filled := width * p.n / max(1, p.total)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	eta := ""
	if p.n > 0 && p.n < p.total {
		left := time.Duration(float64(now.Sub(p.start)) / float64(p.n) * float64(p.total-p.n))
		eta = " ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r[%s] %d/%d runs %3d%%%s   ", bar, p.n, p.total, 100*p.n/max(1, p.total), eta)
	p.drawed = true
}

func (p *progress) done() {
	if p.w != nil && p.drawed {
		fmt.Fprintf(p.w, "\n")
	}
}
