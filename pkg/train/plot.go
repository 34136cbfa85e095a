package train

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Plot writes a PNG with two panels: the training loss and the train,
// validation and test accuracy per epoch, each averaged over the seeds
// (evaluated epochs only for accuracies).
func Plot(path, title string, epochs []Epoch) error {
	type acc struct{ sum, n float64 }
	series := map[string]map[int]*acc{"loss": {}, "train": {}, "val": {}, "test": {}}
	add := func(name string, epoch int, v float64) {
		if math.IsNaN(v) {
			return
		}
		a := series[name][epoch]
		if a == nil {
			a = &acc{}
			series[name][epoch] = a
		}
		a.sum += v
		a.n++
	}
	for _, e := range epochs {
		add("loss", e.Epoch, e.Loss)
		add("train", e.Epoch, 100*e.TrainAcc)
		add("val", e.Epoch, 100*e.ValAcc)
		add("test", e.Epoch, 100*e.TestAcc)
	}
	xy := func(name string) plotter.XYs {
		var keys []int
		for k := range series[name] {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		out := make(plotter.XYs, len(keys))
		for i, k := range keys {
			a := series[name][k]
			out[i] = plotter.XY{X: float64(k), Y: a.sum / a.n}
		}
		return out
	}

	lossPlot := plot.New()
	lossPlot.Title.Text = title + ": training loss"
	lossPlot.X.Label.Text = "epoch"
	lossPlot.Y.Label.Text = "cross-entropy"
	accPlot := plot.New()
	accPlot.Title.Text = "accuracy (%)"
	accPlot.X.Label.Text = "epoch"
	accPlot.Legend.Top = false
	accPlot.Legend.Left = false
	if l, err := plotter.NewLine(xy("loss")); err == nil {
		l.Color = plotter.DefaultLineStyle.Color
		lossPlot.Add(l)
	} else if len(epochs) > 0 {
		return fmt.Errorf("train: plot: %w", err)
	}
	for i, name := range []string{"train", "val", "test"} {
		pts := xy(name)
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("train: plot: %w", err)
		}
		l.Color = plotColors[i]
		accPlot.Add(l)
		accPlot.Legend.Add(name, l)
	}
	accPlot.Add(plotter.NewGrid())
	lossPlot.Add(plotter.NewGrid())

	const w, h = 8 * vg.Inch, 7 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Millimeter, PadY: 3 * vg.Millimeter, PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 2 * vg.Millimeter}
	canvases := plot.Align([][]*plot.Plot{{lossPlot}, {accPlot}}, tiles, dc)
	lossPlot.Draw(canvases[0][0])
	accPlot.Draw(canvases[1][0])
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("train: plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("train: plot: %w", err)
	}
	return f.Close()
}

var plotColors = []color.Color{
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
}
