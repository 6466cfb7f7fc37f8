package fissim

// Variants choose, where AWS documents nothing, which of the plausible
// behaviours the simulator plays (docs/fidelity.md lists them and the tests
// that run gameday's handlers under each). The zero value is the default.
type Variants struct {
	// LogPrefixJoin is how a log prefix ending in "/" joins the AWSLogs path.
	LogPrefixJoin LogPrefixJoin
	// LogOrder is the order in which log objects land in the bucket.
	LogOrder LogOrder
	// StopEnded is what StopExperiment answers for an ended experiment.
	StopEnded StopEnded
	// TemplateUpdate is how UpdateExperimentTemplate treats the action set.
	TemplateUpdate TemplateUpdate
	// CRWithoutDuration is how an inject-kubernetes-custom-resource action
	// whose spec has no duration ends at maxDuration.
	CRWithoutDuration CRWithoutDuration
}

// LogPrefixJoin: "prefix/AWSLogs/..." (the default) or "prefix//AWSLogs/...".
type LogPrefixJoin int

const (
	LogPrefixTrimmed  LogPrefixJoin = iota // prefix/AWSLogs/...
	LogPrefixVerbatim                      // the prefix as given, then /AWSLogs/...: prefix//AWSLogs/... for "prefix/"
)

// LogOrder: objects in time order (the default), or the last object (with
// the experiment-end record) first and the earlier ones after it.
type LogOrder int

const (
	LogInOrder  LogOrder = iota
	LogEndFirst          // the object holding experiment-end lands before the earlier objects
)

// StopEnded: ValidationException (the default) or ConflictException. FIS
// documents neither for an ended experiment; its model lists only
// ValidationException and ResourceNotFoundException for StopExperiment
// (botocore's fis service-2.json, the FIS API reference's Errors), so the
// default is the one listed (TestOperationsAgainstBotocore).
type StopEnded int

const (
	StopEndedValidation StopEnded = iota
	StopEndedConflict
)

// TemplateUpdate: an update merges the given actions into the template's
// (the default; a null action removes one), or replaces the action set.
type TemplateUpdate int

const (
	TemplateUpdateMerges TemplateUpdate = iota
	TemplateUpdateReplaces
)

// CRWithoutDuration: the action completes at maxDuration (the default) or
// fails there, as it does for a CR that outlives maxDuration.
type CRWithoutDuration int

const (
	CRWithoutDurationCompletes CRWithoutDuration = iota
	CRWithoutDurationFails
)
