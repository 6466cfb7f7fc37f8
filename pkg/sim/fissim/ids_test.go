package fissim

import "testing"

// TestIDsUniquePerProcess: two simulators never hand out the same
// experiment or template id unless ReproducibleIDs asks for the seed's.
func TestIDsUniquePerProcess(t *testing.T) {
	ids := func(o Options) []string {
		s := New(o)
		defer s.Close()
		return []string{s.newID("EXT"), s.newID("EXP"), s.newID("EXP")}
	}
	a, b := ids(Options{Seed: 1}), ids(Options{Seed: 1})
	for i := range a {
		if a[i] == b[i] {
			t.Errorf("two simulators with the default seed both made id %s", a[i])
		}
	}
	if a[1] == a[2] {
		t.Errorf("one simulator made id %s twice", a[1])
	}
	r1, r2 := ids(Options{Seed: 7, ReproducibleIDs: true}), ids(Options{Seed: 7, ReproducibleIDs: true})
	for i := range r1 {
		if r1[i] != r2[i] {
			t.Errorf("with ReproducibleIDs, seed 7 made %s and %s", r1[i], r2[i])
		}
	}
}
