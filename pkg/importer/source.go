package importer

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
)

// Source is an experiment template to import, as the request that would
// create it, with where it came from.
type Source struct {
	Shape Shape
	// ID and ARN are the template's, when the source is a response.
	ID, ARN string
	// Template is the template as a CreateExperimentTemplate request.
	Template *fis.CreateExperimentTemplateInput
	// TargetAccounts is the response's targetAccountConfigurationsCount.
	TargetAccounts *int64
}

// GetTemplateAPI is the FIS operation Fetch uses.
type GetTemplateAPI interface {
	GetExperimentTemplate(ctx context.Context, in *fis.GetExperimentTemplateInput, optFns ...func(*fis.Options)) (*fis.GetExperimentTemplateOutput, error)
}

var _ GetTemplateAPI = (*fis.Client)(nil)

// Fetch reads template id from the account with fis:GetExperimentTemplate.
func Fetch(ctx context.Context, api GetTemplateAPI, id string) (*Source, error) {
	out, err := api.GetExperimentTemplate(ctx, &fis.GetExperimentTemplateInput{Id: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("get experiment template %s: %w", id, err)
	}
	if out.ExperimentTemplate == nil {
		return nil, fmt.Errorf("get experiment template %s: the response holds no template", id)
	}
	t := out.ExperimentTemplate
	in, err := requestOf(t)
	if err != nil {
		return nil, err
	}
	return &Source{Shape: ShapeGetResponse, ID: deref(t.Id), ARN: deref(t.Arn), Template: in, TargetAccounts: t.TargetAccountConfigurationsCount}, nil
}

// requestOf is the CreateExperimentTemplate request that makes template t.
// Every member of t has a counterpart except the read-only ones (id, arn,
// times, targetAccountConfigurationsCount), which Source keeps. Where the
// SDK declares both sides with the same members (actions, stop conditions,
// experiment options) they are converted, so a member added to one side
// only stops the build; the rest are copied member by member.
func requestOf(t *types.ExperimentTemplate) (*fis.CreateExperimentTemplateInput, error) {
	if t == nil {
		return nil, errors.New("no template")
	}
	in := &fis.CreateExperimentTemplateInput{
		Description: t.Description,
		RoleArn:     t.RoleArn,
		Tags:        t.Tags,
	}
	if t.Actions != nil {
		in.Actions = make(map[string]types.CreateExperimentTemplateActionInput, len(t.Actions))
		for k, a := range t.Actions {
			in.Actions[k] = types.CreateExperimentTemplateActionInput(a)
		}
	}
	if t.Targets != nil {
		in.Targets = make(map[string]types.CreateExperimentTemplateTargetInput, len(t.Targets))
		for k, tg := range t.Targets {
			ti := types.CreateExperimentTemplateTargetInput{
				ResourceType: tg.ResourceType, SelectionMode: tg.SelectionMode, ResourceArns: tg.ResourceArns,
				ResourceTags: tg.ResourceTags, Parameters: tg.Parameters,
			}
			for _, f := range tg.Filters {
				ti.Filters = append(ti.Filters, types.ExperimentTemplateTargetInputFilter{Path: f.Path, Values: f.Values})
			}
			in.Targets[k] = ti
		}
	}
	for _, sc := range t.StopConditions {
		in.StopConditions = append(in.StopConditions, types.CreateExperimentTemplateStopConditionInput(sc))
	}
	if lc := t.LogConfiguration; lc != nil {
		li := &types.CreateExperimentTemplateLogConfigurationInput{LogSchemaVersion: lc.LogSchemaVersion}
		if s3 := lc.S3Configuration; s3 != nil {
			li.S3Configuration = &types.ExperimentTemplateS3LogConfigurationInput{BucketName: s3.BucketName, Prefix: s3.Prefix}
		}
		if cw := lc.CloudWatchLogsConfiguration; cw != nil {
			li.CloudWatchLogsConfiguration = &types.ExperimentTemplateCloudWatchLogsLogConfigurationInput{LogGroupArn: cw.LogGroupArn}
		}
		in.LogConfiguration = li
	}
	if eo := t.ExperimentOptions; eo != nil {
		o := types.CreateExperimentTemplateExperimentOptionsInput(*eo)
		in.ExperimentOptions = &o
	}
	if rc := t.ExperimentReportConfiguration; rc != nil {
		ri := &types.CreateExperimentTemplateReportConfigurationInput{
			PreExperimentDuration: rc.PreExperimentDuration, PostExperimentDuration: rc.PostExperimentDuration,
		}
		if ds := rc.DataSources; ds != nil {
			ri.DataSources = &types.ExperimentTemplateReportConfigurationDataSourcesInput{}
			for _, d := range ds.CloudWatchDashboards {
				ri.DataSources.CloudWatchDashboards = append(ri.DataSources.CloudWatchDashboards, types.ReportConfigurationCloudWatchDashboardInput{DashboardIdentifier: d.DashboardIdentifier})
			}
		}
		if o := rc.Outputs; o != nil {
			ri.Outputs = &types.ExperimentTemplateReportConfigurationOutputsInput{}
			if s3 := o.S3Configuration; s3 != nil {
				ri.Outputs.S3Configuration = &types.ReportConfigurationS3OutputInput{BucketName: s3.BucketName, Prefix: s3.Prefix}
			}
		}
		in.ExperimentReportConfiguration = ri
	}
	return in, nil
}
