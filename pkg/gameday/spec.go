// Package gameday holds the GameDay domain: the file format (Spec), its
// parsing and validation, durations, the payloads that flow between the
// workflow's steps, and the named errors the state machine acts on. It imports
// nothing from AWS.
package gameday

// APIVersion and Kind identify a GameDay file.
const (
	APIVersion = "gameday/v1alpha1"
	Kind       = "GameDay"
)

// TypeMeta is the apiVersion and kind that a Kubernetes-style object starts
// with: a GameDay, a GameDayPolicy, or a custom resource in a GameDay. Like
// Kubernetes' own TypeMeta it is embedded inline, its fields those of the
// object.
type TypeMeta struct {
	APIVersion string `json:"apiVersion" yaml:"apiVersion"`
	Kind       string `json:"kind" yaml:"kind"`
}

// CheckFileKind is what is wrong with the apiVersion and kind of a file
// written like a GameDay (see ParseFile), which must be apiVersion:
// APIVersion and kind: kind. (A custom resource's are checked with its spec.)
func CheckFileKind(m TypeMeta, kind string) Problems {
	var r problems
	switch {
	case m.APIVersion == "":
		r.add("apiVersion", "required: write apiVersion: %s", APIVersion)
	case m.APIVersion != APIVersion:
		r.add("apiVersion", "must be %s, not %q", APIVersion, m.APIVersion)
	}
	switch {
	case m.Kind == "":
		r.add("kind", "required: write kind: %s", kind)
	case m.Kind != kind:
		r.add("kind", "must be %s, not %q", kind, m.Kind)
	}
	return r.list
}

// Spec is a whole GameDay file. Field names are those of the file (and of the
// JSON that the state machine carries).
type Spec struct {
	TypeMeta `json:",inline" yaml:",inline"`
	Metadata Metadata `json:"metadata" yaml:"metadata"`
	Spec     Body     `json:"spec" yaml:"spec"`
}

// Metadata names and describes a GameDay.
type Metadata struct {
	// Name is a DNS-1123 label, 1..63 characters, unique per account and region.
	Name        string            `json:"name" yaml:"name"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Owner       string            `json:"owner,omitempty" yaml:"owner,omitempty"`
	Tags        map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
}

// Body is the GameDay's spec section.
type Body struct {
	Target     Target     `json:"target" yaml:"target"`
	Hypothesis Hypothesis `json:"hypothesis" yaml:"hypothesis"`
	Faults     []Fault    `json:"faults" yaml:"faults"`
	// Observe are metrics the report charts for context, without a
	// verdict: the faulted service's own latency, for example.
	Observe        []Observed      `json:"observe,omitempty" yaml:"observe,omitempty"`
	StopConditions []StopCondition `json:"stopConditions,omitempty" yaml:"stopConditions,omitempty"`
	Schedule       *Schedule       `json:"schedule,omitempty" yaml:"schedule,omitempty"`
	Timeouts       Timeouts        `json:"timeouts,omitzero" yaml:"timeouts,omitempty"`
	Report         Report          `json:"report,omitzero" yaml:"report,omitempty"`
}

// Target is the EKS cluster the faults are injected into: an ARN, or a name
// in the account and region of the deployment.
type Target struct {
	Cluster     string `json:"cluster,omitempty" yaml:"cluster,omitempty"`
	ClusterName string `json:"clusterName,omitempty" yaml:"clusterName,omitempty"`
}

// Hypothesis is what the team expects to stay true, with measurable checks.
type Hypothesis struct {
	Description string        `json:"description,omitempty" yaml:"description,omitempty"`
	SteadyState []SteadyCheck `json:"steadyState,omitempty" yaml:"steadyState,omitempty"`
}

// Phase is a window of a run: before, during or after the faults.
type Phase string

// The phases of a run, in order.
const (
	PhaseBefore Phase = "before"
	PhaseDuring Phase = "during"
	PhaseAfter  Phase = "after"
)

// AllPhases is the default of SteadyCheck.Phases.
var AllPhases = []Phase{PhaseBefore, PhaseDuring, PhaseAfter}

// SteadyCheck is one steady-state check of the hypothesis.
type SteadyCheck struct {
	Name   string  `json:"name" yaml:"name"`
	Metric Metric  `json:"metric" yaml:"metric"`
	Expect Expect  `json:"expect" yaml:"expect"`
	Phases []Phase `json:"phases,omitempty" yaml:"phases,omitempty"`
}

// Observed is a metric charted in the report for context; nothing is
// judged on it.
type Observed struct {
	Name   string `json:"name" yaml:"name"`
	Metric Metric `json:"metric" yaml:"metric"`
}

// Metric names one CloudWatch metric and how to aggregate it.
type Metric struct {
	Namespace  string            `json:"namespace" yaml:"namespace"`
	Name       string            `json:"name" yaml:"name"`
	Dimensions map[string]string `json:"dimensions,omitempty" yaml:"dimensions,omitempty"`
	// Stat is a CloudWatch statistic: Average, Sum, Minimum, Maximum,
	// SampleCount or a percentile pNN / pNN.N.
	Stat string `json:"stat" yaml:"stat"`
	// Period in seconds: a multiple of 60, or 10, 20 or 30 for a
	// high-resolution metric.
	Period int32 `json:"period" yaml:"period"`
	// HighResolution declares that the metric is published with
	// StorageResolution 1 (a high-resolution custom metric), which is what
	// lets Period be under a minute: CloudWatch keeps a standard metric at
	// one-minute resolution, and its sub-minute data only 3 hours.
	HighResolution bool `json:"highResolution,omitempty" yaml:"highResolution,omitempty"`
	// Unit is the metric's CloudWatch unit (Milliseconds, Percent, Count,
	// ...). It labels the report's and the dashboard's y axis; it does not
	// filter the datapoints read.
	Unit string `json:"unit,omitempty" yaml:"unit,omitempty"`
}

// Expect bounds a check's value: exactly one of Below, Above or Between.
type Expect struct {
	Below   *float64  `json:"below,omitempty" yaml:"below,omitempty"`
	Above   *float64  `json:"above,omitempty" yaml:"above,omitempty"`
	Between []float64 `json:"between,omitempty" yaml:"between,omitempty"`
}

// Fault is one fault; it becomes one FIS action. Exactly one of ChaosMesh,
// Litmus or FIS is set.
type Fault struct {
	Name      string          `json:"name" yaml:"name"`
	ChaosMesh *CustomResource `json:"chaosMesh,omitempty" yaml:"chaosMesh,omitempty"`
	Litmus    *CustomResource `json:"litmus,omitempty" yaml:"litmus,omitempty"`
	FIS       *FISAction      `json:"fis,omitempty" yaml:"fis,omitempty"`
	// MaxDuration is FIS's maxDuration; default: the CR's duration + 1m.
	MaxDuration Duration `json:"maxDuration,omitzero" yaml:"maxDuration,omitempty"`
	StartAfter  []string `json:"startAfter,omitempty" yaml:"startAfter,omitempty"`
	// AllowWideBlastRadius lets a CR select pods by namespace alone.
	AllowWideBlastRadius bool `json:"allowWideBlastRadius,omitempty" yaml:"allowWideBlastRadius,omitempty"`
}

// CustomResource is a Kubernetes custom resource (Chaos Mesh or Litmus) as a
// user would kubectl apply it. Spec is kept as decoded so that it renders to
// the same canonical JSON every time; its strict typed check is done by the
// validating code.
type CustomResource struct {
	TypeMeta `json:",inline" yaml:",inline"`
	Metadata ObjectMeta     `json:"metadata,omitempty" yaml:"metadata,omitempty"`
	Spec     map[string]any `json:"spec" yaml:"spec"`
}

// ObjectMeta is the part of Kubernetes object metadata a CR may carry here.
type ObjectMeta struct {
	Name        string            `json:"name,omitempty" yaml:"name,omitempty"`
	Namespace   string            `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
}

// DefaultNamespace is where a CR is created when its metadata names none.
const DefaultNamespace = "default"

// Namespace is where the CR is created: its metadata.namespace, or
// DefaultNamespace.
func (cr *CustomResource) Namespace() string {
	if cr.Metadata.Namespace != "" {
		return cr.Metadata.Namespace
	}
	return DefaultNamespace
}

// FISAction is a raw FIS action, the escape hatch for anything FIS can do.
type FISAction struct {
	ActionID    string            `json:"actionId" yaml:"actionId"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Parameters  map[string]string `json:"parameters,omitempty" yaml:"parameters,omitempty"`
	// Targets maps the action's target key (for example Instances) to a
	// target definition.
	Targets map[string]FISTarget `json:"targets,omitempty" yaml:"targets,omitempty"`
}

// FISTarget is a target of a raw FIS action.
type FISTarget struct {
	ResourceType  string            `json:"resourceType" yaml:"resourceType"`
	ResourceArns  []string          `json:"resourceArns,omitempty" yaml:"resourceArns,omitempty"`
	ResourceTags  map[string]string `json:"resourceTags,omitempty" yaml:"resourceTags,omitempty"`
	Filters       []FISFilter       `json:"filters,omitempty" yaml:"filters,omitempty"`
	SelectionMode string            `json:"selectionMode" yaml:"selectionMode"`
	Parameters    map[string]string `json:"parameters,omitempty" yaml:"parameters,omitempty"`
}

// FISFilter is an FIS target filter.
type FISFilter struct {
	Path   string   `json:"path" yaml:"path"`
	Values []string `json:"values" yaml:"values"`
}

// StopCondition is one FIS stop condition: an alarm gameday stages, or an
// existing alarm by ARN. Exactly one is set.
type StopCondition struct {
	Alarm    *AlarmSpec `json:"alarm,omitempty" yaml:"alarm,omitempty"`
	AlarmARN string     `json:"alarmArn,omitempty" yaml:"alarmArn,omitempty"`
}

// AlarmSpec is a CloudWatch alarm that gameday creates or updates before the
// start, named AlarmPrefix(gameday) + Name.
type AlarmSpec struct {
	Name              string  `json:"name" yaml:"name"`
	Description       string  `json:"description,omitempty" yaml:"description,omitempty"`
	Metric            Metric  `json:"metric" yaml:"metric"`
	Comparison        string  `json:"comparison" yaml:"comparison"`
	Threshold         float64 `json:"threshold" yaml:"threshold"`
	EvaluationPeriods int32   `json:"evaluationPeriods" yaml:"evaluationPeriods"`
	// DatapointsToAlarm defaults to EvaluationPeriods.
	DatapointsToAlarm int32 `json:"datapointsToAlarm,omitempty" yaml:"datapointsToAlarm,omitempty"`
	// TreatMissingData defaults to notBreaching.
	TreatMissingData string `json:"treatMissingData,omitempty" yaml:"treatMissingData,omitempty"`
}

// DashboardName is the name of the CloudWatch dashboard the stack builds
// for a GameDay.
func DashboardName(gameday string) string { return "gameday-" + gameday }

// DashboardURL is a GameDay's CloudWatch dashboard in the console.
func DashboardURL(region, gameday string) string {
	return "https://" + region + ".console.aws.amazon.com/cloudwatch/home?region=" + region + "#dashboards/dashboard/" + DashboardName(gameday)
}

// AlarmPrefix is the fixed prefix of the alarms staged for a GameDay.
func AlarmPrefix(gameday string) string { return "gameday-" + gameday + "-" }

// Schedule deploys an EventBridge Scheduler schedule for the GameDay.
type Schedule struct {
	Expression string `json:"expression" yaml:"expression"`
	Timezone   string `json:"timezone,omitempty" yaml:"timezone,omitempty"`
	// Enabled defaults to true.
	Enabled *bool `json:"enabled,omitempty" yaml:"enabled,omitempty"`
}

// Timeouts bound a run.
type Timeouts struct {
	// Experiment is the hard deadline: past it the orchestrator stops the
	// experiment. Default: the longest fault path + 15m.
	Experiment Duration `json:"experiment,omitzero" yaml:"experiment,omitempty"`
}

// Report configures the report.
type Report struct {
	Window Window `json:"window,omitzero" yaml:"window,omitempty"`
}

// Window is how much metric history to read around the faults. Defaults: 10m each.
type Window struct {
	Before Duration `json:"before,omitzero" yaml:"before,omitempty"`
	After  Duration `json:"after,omitzero" yaml:"after,omitempty"`
}
