//go:build race

package cpu_test

// raceEnabled trims the conformance configurations under the race
// detector, which slows the suite about tenfold.
const raceEnabled = true
