// Package experimenttest is a hand-written, stateful fake of the FIS API
// operations gameday calls, shared by the tests of experiment, preflight and
// guard. It records every call, paginates lists so that the real SDK
// paginators are exercised, and fails operations on demand.
package experimenttest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
	"github.com/aws/smithy-go"

	"github.com/gameday-dev/gameday/pkg/awsfake"
)

// APIError builds the error the SDK returns for an FIS error code.
func APIError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: code + " (fake)"}
}

// Template is a stored experiment template.
type Template struct {
	ID, ARN string
	Created time.Time
	Tags    map[string]string
	Input   *fis.CreateExperimentTemplateInput
	Updates int
}

// FIS is the fake. The zero value is ready to use. Its Recorder records
// the calls (Calls, Count) and fails them on demand (Fail, Errs).
type FIS struct {
	awsfake.Recorder
	// PageSize is how many items a list returns per page (default 2).
	PageSize int
	// Now is the fake's clock (default: a fixed time).
	Now func() time.Time
	// Lever is the safety lever's state; nil means GetSafetyLever answers
	// ResourceNotFoundException.
	Lever *types.SafetyLeverState
	// StopTo is the state StopExperiment moves an experiment to (default
	// stopping).
	StopTo types.ExperimentStatus

	Templates   map[string]*Template
	Experiments map[string]*types.Experiment
	// ExperimentTags are the tags of each experiment.
	ExperimentTags map[string]map[string]string
	tokens         map[string]string // client token → experiment id
	tmplTokens     map[string]string // client token → template id
	seq            int
}

// Compile-time checks: the fake satisfies the SDK-shaped interfaces.
var (
	_ fis.ListExperimentsAPIClient         = (*FIS)(nil)
	_ fis.ListExperimentTemplatesAPIClient = (*FIS)(nil)
)

func (f *FIS) init() {
	if f.Templates == nil {
		f.Templates = map[string]*Template{}
	}
	if f.Experiments == nil {
		f.Experiments = map[string]*types.Experiment{}
	}
	if f.ExperimentTags == nil {
		f.ExperimentTags = map[string]map[string]string{}
	}
	if f.tokens == nil {
		f.tokens = map[string]string{}
	}
	if f.tmplTokens == nil {
		f.tmplTokens = map[string]string{}
	}
}

func (f *FIS) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
}

// AddExperiment stores an experiment in the given state with tags.
func (f *FIS) AddExperiment(id string, status types.ExperimentStatus, tags map[string]string) *types.Experiment {
	f.Lock()
	defer f.Unlock()
	f.init()
	t := f.now()
	e := &types.Experiment{
		Id:           aws.String(id),
		Arn:          aws.String("arn:aws:fis:us-east-1:123456789012:experiment/" + id),
		State:        &types.ExperimentState{Status: status, Reason: aws.String("fake " + string(status))},
		CreationTime: &t,
		StartTime:    &t,
	}
	f.Experiments[id] = e
	f.ExperimentTags[id] = tags
	return e
}

// AddTemplate stores a template with tags.
func (f *FIS) AddTemplate(id string, tags map[string]string) *Template {
	f.Lock()
	defer f.Unlock()
	f.init()
	t := &Template{ID: id, ARN: "arn:aws:fis:us-east-1:123456789012:experiment-template/" + id, Created: f.now(), Tags: tags}
	f.Templates[id] = t
	return t
}

// SetState moves an experiment to status.
func (f *FIS) SetState(id string, status types.ExperimentStatus) {
	f.Lock()
	defer f.Unlock()
	f.Experiments[id].State = &types.ExperimentState{Status: status, Reason: aws.String("fake " + string(status))}
}

// stored is the template or experiment id of m, or FIS's
// ResourceNotFoundException.
func stored[T any](m map[string]T, id *string) (T, error) {
	v, ok := m[aws.ToString(id)]
	if !ok {
		return v, APIError("ResourceNotFoundException")
	}
	return v, nil
}

// ListExperimentTemplates implements the FIS operation.
func (f *FIS) ListExperimentTemplates(_ context.Context, in *fis.ListExperimentTemplatesInput, _ ...func(*fis.Options)) (*fis.ListExperimentTemplatesOutput, error) {
	return awsfake.Do(&f.Recorder, "ListExperimentTemplates", func() (*fis.ListExperimentTemplatesOutput, error) {
		var all []types.ExperimentTemplateSummary
		for _, id := range slices.Sorted(maps.Keys(f.Templates)) {
			t := f.Templates[id]
			created := t.Created
			all = append(all, types.ExperimentTemplateSummary{Id: aws.String(t.ID), Arn: aws.String(t.ARN), CreationTime: &created, Tags: maps.Clone(t.Tags)})
		}
		items, next := awsfake.Page(all, in.NextToken, awsfake.PageSize(f.PageSize))
		return &fis.ListExperimentTemplatesOutput{ExperimentTemplates: items, NextToken: next}, nil
	})
}

// CreateExperimentTemplate implements the FIS operation (idempotent on the
// client token).
func (f *FIS) CreateExperimentTemplate(_ context.Context, in *fis.CreateExperimentTemplateInput, _ ...func(*fis.Options)) (*fis.CreateExperimentTemplateOutput, error) {
	return awsfake.Do(&f.Recorder, "CreateExperimentTemplate", func() (*fis.CreateExperimentTemplateOutput, error) {
		f.init()
		tok := aws.ToString(in.ClientToken)
		id, ok := f.tmplTokens[tok]
		if !ok || tok == "" {
			f.seq++
			id = fmt.Sprintf("EXT%04d", f.seq)
			f.Templates[id] = &Template{ID: id, ARN: "arn:aws:fis:us-east-1:123456789012:experiment-template/" + id,
				Created: f.now().Add(time.Duration(f.seq) * time.Second), Tags: maps.Clone(in.Tags), Input: in}
			f.tmplTokens[tok] = id
		}
		return &fis.CreateExperimentTemplateOutput{ExperimentTemplate: &types.ExperimentTemplate{Id: aws.String(id), Arn: aws.String(f.Templates[id].ARN)}}, nil
	})
}

// UpdateExperimentTemplate implements the FIS operation; tags stay.
func (f *FIS) UpdateExperimentTemplate(_ context.Context, in *fis.UpdateExperimentTemplateInput, _ ...func(*fis.Options)) (*fis.UpdateExperimentTemplateOutput, error) {
	return awsfake.Do(&f.Recorder, "UpdateExperimentTemplate", func() (*fis.UpdateExperimentTemplateOutput, error) {
		t, err := stored(f.Templates, in.Id)
		if err != nil {
			return nil, err
		}
		t.Updates++
		if t.Input == nil {
			t.Input = &fis.CreateExperimentTemplateInput{}
		}
		if in.RoleArn != nil {
			t.Input.RoleArn = in.RoleArn
		}
		return &fis.UpdateExperimentTemplateOutput{ExperimentTemplate: &types.ExperimentTemplate{Id: aws.String(t.ID), Arn: aws.String(t.ARN)}}, nil
	})
}

// DeleteExperimentTemplate implements the FIS operation.
func (f *FIS) DeleteExperimentTemplate(_ context.Context, in *fis.DeleteExperimentTemplateInput, _ ...func(*fis.Options)) (*fis.DeleteExperimentTemplateOutput, error) {
	return awsfake.Do(&f.Recorder, "DeleteExperimentTemplate", func() (*fis.DeleteExperimentTemplateOutput, error) {
		if _, err := stored(f.Templates, in.Id); err != nil {
			return nil, err
		}
		delete(f.Templates, aws.ToString(in.Id))
		return &fis.DeleteExperimentTemplateOutput{}, nil
	})
}

// TagResource implements the FIS operation for templates and experiments.
func (f *FIS) TagResource(_ context.Context, in *fis.TagResourceInput, _ ...func(*fis.Options)) (*fis.TagResourceOutput, error) {
	return awsfake.Do(&f.Recorder, "TagResource", func() (*fis.TagResourceOutput, error) {
		for _, t := range f.Templates {
			if t.ARN == aws.ToString(in.ResourceArn) {
				if t.Tags == nil {
					t.Tags = map[string]string{}
				}
				maps.Copy(t.Tags, in.Tags)
				return &fis.TagResourceOutput{}, nil
			}
		}
		for id, e := range f.Experiments {
			if aws.ToString(e.Arn) == aws.ToString(in.ResourceArn) {
				tags := maps.Clone(f.ExperimentTags[id])
				if tags == nil {
					tags = map[string]string{}
				}
				maps.Copy(tags, in.Tags)
				f.ExperimentTags[id] = tags
				return &fis.TagResourceOutput{}, nil
			}
		}
		return nil, APIError("ResourceNotFoundException")
	})
}

// StartExperiment implements the FIS operation (idempotent on the client
// token).
func (f *FIS) StartExperiment(_ context.Context, in *fis.StartExperimentInput, _ ...func(*fis.Options)) (*fis.StartExperimentOutput, error) {
	return awsfake.Do(&f.Recorder, "StartExperiment", func() (*fis.StartExperimentOutput, error) {
		f.init()
		if in.ClientToken == nil || *in.ClientToken == "" {
			return nil, APIError("ValidationException")
		}
		if _, err := stored(f.Templates, in.ExperimentTemplateId); err != nil {
			return nil, err
		}
		id, ok := f.tokens[*in.ClientToken]
		if !ok {
			f.seq++
			id = fmt.Sprintf("EXP%04d", f.seq)
			t := f.now()
			f.Experiments[id] = &types.Experiment{
				Id: aws.String(id), ExperimentTemplateId: in.ExperimentTemplateId,
				State:        &types.ExperimentState{Status: types.ExperimentStatusInitiating},
				CreationTime: &t, StartTime: &t,
			}
			f.ExperimentTags[id] = maps.Clone(in.Tags)
			f.tokens[*in.ClientToken] = id
		}
		e := *f.Experiments[id]
		return &fis.StartExperimentOutput{Experiment: &e}, nil
	})
}

// GetExperiment implements the FIS operation.
func (f *FIS) GetExperiment(_ context.Context, in *fis.GetExperimentInput, _ ...func(*fis.Options)) (*fis.GetExperimentOutput, error) {
	return awsfake.Do(&f.Recorder, "GetExperiment", func() (*fis.GetExperimentOutput, error) {
		e, err := stored(f.Experiments, in.Id)
		if err != nil {
			return nil, err
		}
		c := *e
		c.Tags = maps.Clone(f.ExperimentTags[aws.ToString(in.Id)]) // FIS returns an experiment's tags
		return &fis.GetExperimentOutput{Experiment: &c}, nil
	})
}

// StopExperiment implements the FIS operation: a terminal experiment is a
// ConflictException; an active one moves to StopTo.
func (f *FIS) StopExperiment(_ context.Context, in *fis.StopExperimentInput, _ ...func(*fis.Options)) (*fis.StopExperimentOutput, error) {
	return awsfake.Do(&f.Recorder, "StopExperiment", func() (*fis.StopExperimentOutput, error) {
		e, err := stored(f.Experiments, in.Id)
		if err != nil {
			return nil, err
		}
		switch e.State.Status {
		case types.ExperimentStatusCompleted, types.ExperimentStatusStopped, types.ExperimentStatusFailed, types.ExperimentStatusCancelled:
			return nil, APIError("ConflictException")
		}
		to := f.StopTo
		if to == "" {
			to = types.ExperimentStatusStopping
		}
		e.State = &types.ExperimentState{Status: to, Reason: aws.String("Experiment stopped by user.")}
		c := *e
		return &fis.StopExperimentOutput{Experiment: &c}, nil
	})
}

// ListExperiments implements the FIS operation; summaries carry tags.
func (f *FIS) ListExperiments(_ context.Context, in *fis.ListExperimentsInput, _ ...func(*fis.Options)) (*fis.ListExperimentsOutput, error) {
	return awsfake.Do(&f.Recorder, "ListExperiments", func() (*fis.ListExperimentsOutput, error) {
		var all []types.ExperimentSummary
		for _, id := range slices.Sorted(maps.Keys(f.Experiments)) {
			e := f.Experiments[id]
			st := *e.State
			all = append(all, types.ExperimentSummary{Id: e.Id, Arn: e.Arn, ExperimentTemplateId: e.ExperimentTemplateId, State: &st, CreationTime: e.CreationTime, Tags: maps.Clone(f.ExperimentTags[id])})
		}
		items, next := awsfake.Page(all, in.NextToken, awsfake.PageSize(f.PageSize))
		return &fis.ListExperimentsOutput{Experiments: items, NextToken: next}, nil
	})
}

// GetSafetyLever implements the FIS operation.
func (f *FIS) GetSafetyLever(_ context.Context, in *fis.GetSafetyLeverInput, _ ...func(*fis.Options)) (*fis.GetSafetyLeverOutput, error) {
	return awsfake.Do(&f.Recorder, "GetSafetyLever", func() (*fis.GetSafetyLeverOutput, error) {
		if f.Lever == nil {
			return nil, APIError("ResourceNotFoundException")
		}
		st := *f.Lever
		return &fis.GetSafetyLeverOutput{SafetyLever: &types.SafetyLever{Id: in.Id, State: &st}}, nil
	})
}

// GetExperimentTemplate implements the FIS operation from the stored
// request (a template added with AddTemplate has only its id and tags).
func (f *FIS) GetExperimentTemplate(_ context.Context, in *fis.GetExperimentTemplateInput, _ ...func(*fis.Options)) (*fis.GetExperimentTemplateOutput, error) {
	return awsfake.Do(&f.Recorder, "GetExperimentTemplate", func() (*fis.GetExperimentTemplateOutput, error) {
		t, err := stored(f.Templates, in.Id)
		if err != nil {
			return nil, err
		}
		out := &types.ExperimentTemplate{Id: aws.String(t.ID), Arn: aws.String(t.ARN), Tags: maps.Clone(t.Tags)}
		if c := t.Input; c != nil {
			out.RoleArn = c.RoleArn
			if l := c.LogConfiguration; l != nil && l.S3Configuration != nil {
				out.LogConfiguration = &types.ExperimentTemplateLogConfiguration{LogSchemaVersion: l.LogSchemaVersion,
					S3Configuration: &types.ExperimentTemplateS3LogConfiguration{BucketName: l.S3Configuration.BucketName, Prefix: l.S3Configuration.Prefix}}
			}
			for _, sc := range c.StopConditions {
				out.StopConditions = append(out.StopConditions, types.ExperimentTemplateStopCondition{Source: sc.Source, Value: sc.Value})
			}
			out.Targets = map[string]types.ExperimentTemplateTarget{}
			for name, tg := range c.Targets {
				out.Targets[name] = types.ExperimentTemplateTarget{ResourceType: tg.ResourceType, ResourceArns: tg.ResourceArns}
			}
		}
		return &fis.GetExperimentTemplateOutput{ExperimentTemplate: out}, nil
	})
}
