package fissim

import (
	"strconv"
	"time"
)

// The FIS restJson1 wire shapes. Field names follow the service model (see
// the aws-sdk-go-v2 service/fis serializers and deserializers).

// epoch is a timestamp written as epoch seconds, as restJson1 bodies carry
// them.
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	return []byte(strconv.FormatFloat(float64(tt.UnixMilli())/1000, 'f', -1, 64)), nil
}

func epochPtr(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(t)
	return &e
}

type stopCondition struct {
	Source string `json:"source"`
	Value  string `json:"value,omitempty"`
}

type targetFilter struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

type target struct {
	ResourceType  string            `json:"resourceType"`
	ResourceArns  []string          `json:"resourceArns,omitempty"`
	ResourceTags  map[string]string `json:"resourceTags,omitempty"`
	Filters       []targetFilter    `json:"filters,omitempty"`
	SelectionMode string            `json:"selectionMode"`
	Parameters    map[string]string `json:"parameters,omitempty"`
}

// templateAction is an action as a template defines it
// (ExperimentTemplateAction); an experiment's action (ExperimentAction, see
// actionOut) carries the same members and its run state.
type templateAction struct {
	ActionID    string            `json:"actionId"`
	Description string            `json:"description,omitempty"`
	Parameters  map[string]string `json:"parameters,omitempty"`
	Targets     map[string]string `json:"targets,omitempty"`
	StartAfter  []string          `json:"startAfter,omitempty"`
}

type s3LogConfig struct {
	BucketName string `json:"bucketName"`
	Prefix     string `json:"prefix,omitempty"`
}

type cwLogConfig struct {
	LogGroupArn string `json:"logGroupArn"`
}

type logConfig struct {
	CloudWatchLogsConfiguration *cwLogConfig `json:"cloudWatchLogsConfiguration,omitempty"`
	S3Configuration             *s3LogConfig `json:"s3Configuration,omitempty"`
	LogSchemaVersion            int32        `json:"logSchemaVersion"`
}

type experimentOptions struct {
	AccountTargeting          string `json:"accountTargeting,omitempty"`
	EmptyTargetResolutionMode string `json:"emptyTargetResolutionMode,omitempty"`
	ActionsMode               string `json:"actionsMode,omitempty"`
}

// templateInput is the body of CreateExperimentTemplate and
// UpdateExperimentTemplate (for an update every member is optional).
type templateInput struct {
	ClientToken       string                     `json:"clientToken,omitempty"`
	Description       *string                    `json:"description,omitempty"`
	StopConditions    []stopCondition            `json:"stopConditions,omitempty"`
	Targets           map[string]target          `json:"targets,omitempty"`
	Actions           map[string]*templateAction `json:"actions,omitempty"`
	RoleArn           *string                    `json:"roleArn,omitempty"`
	Tags              map[string]string          `json:"tags,omitempty"`
	LogConfiguration  *logConfig                 `json:"logConfiguration,omitempty"`
	ExperimentOptions *experimentOptions         `json:"experimentOptions,omitempty"`
}

// definition is what an experiment template defines and what an experiment
// carries from the template it was started from: ExperimentTemplate and
// Experiment both have these members (their actions differ in type, their
// options and tags in meaning, so each declares its own).
type definition struct {
	RoleArn          string            `json:"roleArn"`
	Targets          map[string]target `json:"targets"`
	StopConditions   []stopCondition   `json:"stopConditions"`
	LogConfiguration *logConfig        `json:"logConfiguration,omitempty"`
	TargetAccountCnt int64             `json:"targetAccountConfigurationsCount"`
}

// templateSummary is a template as ListExperimentTemplates lists it
// (ExperimentTemplateSummary).
type templateSummary struct {
	ID             string            `json:"id"`
	Arn            string            `json:"arn"`
	Description    string            `json:"description"`
	CreationTime   *epoch            `json:"creationTime"`
	LastUpdateTime *epoch            `json:"lastUpdateTime"`
	Tags           map[string]string `json:"tags"`
}

// templateOut is a template as the template operations return it
// (ExperimentTemplate): its summary, its definition, its actions and options.
type templateOut struct {
	templateSummary
	definition
	Actions           map[string]templateAction `json:"actions"`
	ExperimentOptions *experimentOptions        `json:"experimentOptions,omitempty"`
}

type stateOut struct {
	Status string    `json:"status"`
	Reason string    `json:"reason,omitempty"`
	Error  *errorOut `json:"error,omitempty"`
}

type errorOut struct {
	AccountID string `json:"accountId,omitempty"`
	Code      string `json:"code,omitempty"`
	Location  string `json:"location,omitempty"`
}

type actionOut struct {
	templateAction
	State     stateOut `json:"state"`
	StartTime *epoch   `json:"startTime,omitempty"`
	EndTime   *epoch   `json:"endTime,omitempty"`
}

// experimentSummary is an experiment as ListExperiments lists it
// (ExperimentSummary).
type experimentSummary struct {
	ID                   string             `json:"id"`
	Arn                  string             `json:"arn"`
	ExperimentTemplateID string             `json:"experimentTemplateId"`
	State                stateOut           `json:"state"`
	CreationTime         *epoch             `json:"creationTime"`
	Tags                 map[string]string  `json:"tags"`
	ExperimentOptions    *experimentOptions `json:"experimentOptions,omitempty"`
}

// experimentOut is an experiment as the experiment operations return it
// (Experiment): its summary, the definition of the template it was started
// from, and its actions' and its own run times.
type experimentOut struct {
	experimentSummary
	definition
	Actions   map[string]actionOut `json:"actions"`
	StartTime *epoch               `json:"startTime,omitempty"`
	EndTime   *epoch               `json:"endTime,omitempty"`
}

type startInput struct {
	ClientToken          string             `json:"clientToken"`
	ExperimentTemplateID string             `json:"experimentTemplateId"`
	Tags                 map[string]string  `json:"tags,omitempty"`
	ExperimentOptions    *experimentOptions `json:"experimentOptions,omitempty"`
}

type safetyLeverOut struct {
	ID    string   `json:"id"`
	Arn   string   `json:"arn"`
	State stateOut `json:"state"`
}

type safetyLeverInput struct {
	State *struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"state"`
}

type tagInput struct {
	Tags map[string]string `json:"tags"`
}

type actionParameter struct {
	Description string `json:"description"`
	Required    bool   `json:"required"`
}

type actionTarget struct {
	ResourceType string `json:"resourceType"`
}

type actionOutFull struct {
	ID          string                     `json:"id"`
	Arn         string                     `json:"arn"`
	Description string                     `json:"description"`
	Parameters  map[string]actionParameter `json:"parameters,omitempty"`
	Targets     map[string]actionTarget    `json:"targets,omitempty"`
	Tags        map[string]string          `json:"tags"`
}

type resolvedTarget struct {
	ResourceType      string            `json:"resourceType"`
	TargetName        string            `json:"targetName"`
	TargetInformation map[string]string `json:"targetInformation"`
}
