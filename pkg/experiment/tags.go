package experiment

// Tags gameday puts on templates and experiments. They are the values of
// fistemplate's TagName, TagDigest and TagExecution (kept here so that this
// adapter builds on its own).
const (
	TagName      = "gameday:name"
	TagDigest    = "gameday:spec-digest"
	TagExecution = "gameday:execution-arn"
)
