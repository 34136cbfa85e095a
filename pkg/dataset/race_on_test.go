//go:build race

package dataset

// raceEnabled trims the largest test inputs under the race detector, which
// slows the parsers about tenfold; the full inputs run without -race.
const raceEnabled = true
