// Package fullvalidation installs the full GameDay validation (validate.Spec,
// which decodes each Chaos Mesh custom resource strictly into its real Go
// type) as the validator of the preflight handler. Import it for its side
// effect wherever preflight runs: functions/preflight and the local runner.
// It is separate from pkg/handlers so that the other Lambdas do not link
// the Chaos Mesh and Kubernetes API modules.
package fullvalidation

import (
	"github.com/gameday-dev/gameday/pkg/handlers"
	"github.com/gameday-dev/gameday/pkg/validate"
)

func init() { handlers.SetValidator(validate.Spec) }
