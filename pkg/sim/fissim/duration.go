package fissim

import (
	"fmt"
	"strings"
	"time"

	"github.com/gameday-dev/gameday/pkg/fisactions"
)

// crDuration reads a Chaos Mesh spec's duration ("180s", Go style); ok is
// false when the spec sets none.
func crDuration(spec map[string]any) (time.Duration, bool, error) {
	v, ok := spec["duration"]
	if !ok || v == nil {
		return 0, false, nil
	}
	str, isStr := v.(string)
	if !isStr {
		return 0, false, fmt.Errorf("must be a string such as 180s")
	}
	str = strings.TrimSpace(str)
	if strings.HasPrefix(str, "P") {
		d, err := fisactions.ParseDuration(str)
		return d, err == nil, err
	}
	d, err := time.ParseDuration(str)
	if err != nil || d <= 0 {
		return 0, false, fmt.Errorf("%q is not a duration", str)
	}
	return d, true, nil
}
