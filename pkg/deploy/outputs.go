package deploy

// Keys of the stack's outputs (the README and error messages name them).
const (
	OutputStateMachineARN = "StateMachineArn"
	OutputArchiveBucket   = "ArchiveBucketName"
	OutputLogBucket       = "LogBucketName"
	OutputTopicARN        = "TopicArn"
	OutputFISRoleARN      = "FisRoleArn"
	// OutputDashboards lists, comma-separated, the GameDays the stack
	// built a CloudWatch dashboard for; a stack without GameDays has none.
	OutputDashboards = "Dashboards"
)

// Outputs are the stack's outputs: what the CLI reads to find a
// deployment's state machine, buckets, topic and FIS role.
type Outputs struct {
	StateMachineARN string
	ArchiveBucket   string
	LogBucket       string
	TopicARN        string
	FISRoleARN      string
}

func (o *Outputs) fields() []binding {
	return []binding{
		{OutputStateMachineARN, &o.StateMachineARN}, {OutputArchiveBucket, &o.ArchiveBucket},
		{OutputLogBucket, &o.LogBucket}, {OutputTopicARN, &o.TopicARN}, {OutputFISRoleARN, &o.FISRoleARN},
	}
}

// Map is o by output key, every output included.
func (o Outputs) Map() map[string]string {
	return toMap(o.fields(), true)
}

// ParseOutputs reads the outputs gameday knows from a stack's outputs by
// key; other keys are ignored.
func ParseOutputs(byKey map[string]string) Outputs {
	var o Outputs
	for _, f := range o.fields() {
		*f.val = byKey[f.key]
	}
	return o
}
