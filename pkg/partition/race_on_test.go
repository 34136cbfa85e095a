//go:build race

package partition

// raceEnabled trims the largest test inputs under the race detector.
const raceEnabled = true
