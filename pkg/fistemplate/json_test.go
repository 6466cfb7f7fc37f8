package fistemplate

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
)

// parseJSON reads a request body written by JSON back into the SDK input:
// what the archive's template.json holds is what can be sent again.
func parseJSON(data []byte) (*fis.CreateExperimentTemplateInput, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b body
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	in := &fis.CreateExperimentTemplateInput{
		ClientToken: ptr(b.ClientToken),
		Description: ptr(b.Description),
		RoleArn:     ptr(b.RoleArn),
		Tags:        b.Tags,
	}
	for _, sc := range b.StopConditions {
		in.StopConditions = append(in.StopConditions, types.CreateExperimentTemplateStopConditionInput{Source: ptr(sc.Source), Value: ptr(sc.Value)})
	}
	if len(b.Targets) > 0 {
		in.Targets = make(map[string]types.CreateExperimentTemplateTargetInput, len(b.Targets))
		for k, t := range b.Targets {
			ti := types.CreateExperimentTemplateTargetInput{
				ResourceType:  ptr(t.ResourceType),
				SelectionMode: ptr(t.SelectionMode),
				ResourceArns:  t.ResourceArns,
				ResourceTags:  t.ResourceTags,
				Parameters:    t.Parameters,
			}
			for _, f := range t.Filters {
				ti.Filters = append(ti.Filters, types.ExperimentTemplateTargetInputFilter{Path: ptr(f.Path), Values: f.Values})
			}
			in.Targets[k] = ti
		}
	}
	in.Actions = make(map[string]types.CreateExperimentTemplateActionInput, len(b.Actions))
	for k, a := range b.Actions {
		in.Actions[k] = types.CreateExperimentTemplateActionInput{
			ActionId:    ptr(a.ActionID),
			Description: ptr(a.Description),
			Parameters:  a.Parameters,
			Targets:     a.Targets,
			StartAfter:  a.StartAfter,
		}
	}
	if lc := b.LogConfiguration; lc != nil {
		v := lc.LogSchemaVersion
		li := &types.CreateExperimentTemplateLogConfigurationInput{LogSchemaVersion: &v}
		if s3 := lc.S3Configuration; s3 != nil {
			li.S3Configuration = &types.ExperimentTemplateS3LogConfigurationInput{BucketName: ptr(s3.BucketName), Prefix: ptr(s3.Prefix)}
		}
		if cw := lc.CloudWatchLogsConfiguration; cw != nil {
			li.CloudWatchLogsConfiguration = &types.ExperimentTemplateCloudWatchLogsLogConfigurationInput{LogGroupArn: ptr(cw.LogGroupArn)}
		}
		in.LogConfiguration = li
	}
	if eo := b.ExperimentOptions; eo != nil {
		in.ExperimentOptions = &types.CreateExperimentTemplateExperimentOptionsInput{
			AccountTargeting:          types.AccountTargeting(eo.AccountTargeting),
			EmptyTargetResolutionMode: types.EmptyTargetResolutionMode(eo.EmptyTargetResolutionMode),
		}
	}
	return in, nil
}

// ptr is nil for "", as the SDK leaves absent optional fields.
func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
