package fistemplate

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// FIS facts the rendering relies on (FIS API reference and quotas).
const (
	// ResourceTypeCluster is the target type of that action.
	ResourceTypeCluster = "aws:eks:cluster"
	// ClusterTarget is both the action's target key and the template's
	// target name for the EKS cluster.
	ClusterTarget = "Cluster"
	// LogSchemaVersion is the FIS log schema the archive step reads.
	LogSchemaVersion = 2

	maxDescription    = 512  // template and action description
	maxParameterValue = 1024 // ExperimentTemplateActionParameter
	maxTargetName     = 64
	maxTagKey         = 128
	maxTagValue       = 256
	maxTags           = 50
	maxStopConditions = 5
)

// Render builds the CreateExperimentTemplate request for s. s must already be
// valid; Render still refuses what FIS would refuse (a parameter longer than
// FIS takes, too many stop conditions or tags) rather than send it.
func Render(s *gameday.Spec, o Options) (*fis.CreateExperimentTemplateInput, error) {
	if s == nil {
		return nil, errors.New("render template: no gameday")
	}
	if len(s.Spec.Faults) == 0 {
		return nil, errors.New("render template: no faults")
	}
	o = o.WithDefaults(s.Spec.Target.Cluster)

	in := &fis.CreateExperimentTemplateInput{
		Description: aws.String(description(s)),
		RoleArn:     aws.String(o.RoleARN),
		Actions:     map[string]types.CreateExperimentTemplateActionInput{},
		Targets:     map[string]types.CreateExperimentTemplateTargetInput{},
		LogConfiguration: &types.CreateExperimentTemplateLogConfigurationInput{
			LogSchemaVersion: aws.Int32(LogSchemaVersion),
			S3Configuration: &types.ExperimentTemplateS3LogConfigurationInput{
				BucketName: aws.String(o.LogBucket),
				Prefix:     aws.String(o.LogPrefix),
			},
		},
		ExperimentOptions: &types.CreateExperimentTemplateExperimentOptionsInput{
			AccountTargeting:          types.AccountTargetingSingleAccount,
			EmptyTargetResolutionMode: types.EmptyTargetResolutionModeFail,
		},
	}

	var errs []error
	for i := range s.Spec.Faults {
		f := &s.Spec.Faults[i]
		var err error
		if cr := f.Resource(); cr != nil {
			err = addCustomResource(in, s, f, cr, o)
		} else if f.FIS != nil {
			err = addRawAction(in, f)
		} else {
			err = errors.New("sets none of chaosMesh, litmus or fis")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("fault %s: %w", f.Name, err))
		}
	}

	sc, err := stopConditions(s, o)
	if err != nil {
		errs = append(errs, err)
	}
	in.StopConditions = sc

	tags, err := templateTags(s)
	if err != nil {
		errs = append(errs, err)
	}
	in.Tags = tags

	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("render template %s: %w", s.Metadata.Name, err)
	}
	in.ClientToken = aws.String(clientToken(s, in))
	return in, nil
}

// description is metadata.description (or a default), cut to FIS's limit.
func description(s *gameday.Spec) string {
	d := strings.TrimSpace(s.Metadata.Description)
	if d == "" {
		d = "GameDay " + s.Metadata.Name
	}
	return truncate(d, maxDescription)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut
// with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ell = "…"
	cut := n - len(ell)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRightFunc(s[:cut], func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) + ell
}

func addCustomResource(in *fis.CreateExperimentTemplateInput, s *gameday.Spec, f *gameday.Fault, cr *gameday.CustomResource, o Options) error {
	clusterARN := s.Spec.Target.Cluster
	if clusterARN == "" {
		if s.Spec.Target.ClusterName == "" {
			return errors.New("spec.target sets neither cluster nor clusterName")
		}
		clusterARN = ClusterARN(o, s.Spec.Target.ClusterName)
	}
	if _, ok := in.Targets[ClusterTarget]; !ok {
		in.Targets[ClusterTarget] = types.CreateExperimentTemplateTargetInput{
			ResourceType:  aws.String(ResourceTypeCluster),
			ResourceArns:  []string{clusterARN},
			SelectionMode: aws.String("ALL"),
		}
	}
	spec, err := CanonicalJSON(cr.Spec)
	if err != nil {
		return fmt.Errorf("encode %s spec: %w", cr.Kind, err)
	}
	params := gameday.InjectParamsFor(f, spec).Map()
	if err := checkParameters(params); err != nil {
		return err
	}
	tool := "Chaos Mesh"
	if f.Litmus != nil {
		tool = "Litmus"
	}
	in.Actions[f.Name] = types.CreateExperimentTemplateActionInput{
		ActionId:    aws.String(gameday.ActionInjectCustomResource),
		Description: aws.String(truncate(fmt.Sprintf("%s %s %s in namespace %s", tool, cr.Kind, f.Name, cr.Namespace()), maxDescription)),
		Parameters:  params,
		Targets:     map[string]string{ClusterTarget: ClusterTarget},
		StartAfter:  cloneStrings(f.StartAfter),
	}
	return nil
}

func addRawAction(in *fis.CreateExperimentTemplateInput, f *gameday.Fault) error {
	a := f.FIS
	params := make(map[string]string, len(a.Parameters))
	for k, v := range a.Parameters {
		params[k] = v
	}
	if err := checkParameters(params); err != nil {
		return err
	}
	act := types.CreateExperimentTemplateActionInput{
		ActionId:   aws.String(a.ActionID),
		StartAfter: cloneStrings(f.StartAfter),
	}
	if len(params) > 0 {
		act.Parameters = params
	}
	if a.Description != "" {
		act.Description = aws.String(truncate(a.Description, maxDescription))
	}
	keys := slices.Sorted(maps.Keys(a.Targets))
	if len(keys) > 0 {
		act.Targets = make(map[string]string, len(keys))
	}
	for _, key := range keys {
		t := a.Targets[key]
		name := uniqueTargetName(in.Targets, f.Name+"-"+key)
		in.Targets[name] = types.CreateExperimentTemplateTargetInput{
			ResourceType:  aws.String(t.ResourceType),
			SelectionMode: aws.String(t.SelectionMode),
			ResourceArns:  cloneStrings(t.ResourceArns),
			ResourceTags:  cloneMap(t.ResourceTags),
			Parameters:    cloneMap(t.Parameters),
			Filters:       filters(t.Filters),
		}
		act.Targets[key] = name
	}
	in.Actions[f.Name] = act
	return nil
}

// uniqueTargetName is want, cut to FIS's 64 characters, made unique among
// the targets already in the template.
func uniqueTargetName(taken map[string]types.CreateExperimentTemplateTargetInput, want string) string {
	name := want
	if len(name) > maxTargetName {
		sum := sha256.Sum256([]byte(want))
		name = name[:maxTargetName-9] + "-" + hex.EncodeToString(sum[:4])
	}
	base := name
	for n := 2; ; n++ {
		if _, dup := taken[name]; !dup {
			return name
		}
		suffix := fmt.Sprintf("-%d", n)
		name = base
		if len(name)+len(suffix) > maxTargetName {
			name = name[:maxTargetName-len(suffix)]
		}
		name += suffix
	}
}

func filters(fs []gameday.FISFilter) []types.ExperimentTemplateTargetInputFilter {
	if len(fs) == 0 {
		return nil
	}
	out := make([]types.ExperimentTemplateTargetInputFilter, len(fs))
	for i, f := range fs {
		out[i] = types.ExperimentTemplateTargetInputFilter{Path: aws.String(f.Path), Values: cloneStrings(f.Values)}
	}
	return out
}

// checkParameters refuses a value FIS would refuse for its length.
func checkParameters(params map[string]string) error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(params)) {
		if n := len(params[k]); n > maxParameterValue {
			errs = append(errs, fmt.Errorf("parameter %s is %d characters long; FIS takes at most %d (shorten the resource's spec)", k, n, maxParameterValue))
		}
	}
	return errors.Join(errs...)
}

// stopConditions are the alarms, staged (by name) or given (by ARN), or the
// "none" source FIS requires when there are none.
func stopConditions(s *gameday.Spec, o Options) ([]types.CreateExperimentTemplateStopConditionInput, error) {
	scs := s.Spec.StopConditions
	if len(scs) == 0 {
		return []types.CreateExperimentTemplateStopConditionInput{{Source: aws.String("none")}}, nil
	}
	if len(scs) > maxStopConditions {
		return nil, fmt.Errorf("%d stop conditions; FIS takes at most %d", len(scs), maxStopConditions)
	}
	out := make([]types.CreateExperimentTemplateStopConditionInput, 0, len(scs))
	for i, sc := range scs {
		var arn string
		switch {
		case sc.Alarm != nil:
			arn = AlarmARN(o, s.AlarmName(sc.Alarm))
		case sc.AlarmARN != "":
			arn = sc.AlarmARN
		default:
			return nil, fmt.Errorf("stop condition %d sets neither alarm nor alarmArn", i)
		}
		out = append(out, types.CreateExperimentTemplateStopConditionInput{
			Source: aws.String("aws:cloudwatch:alarm"),
			Value:  aws.String(arn),
		})
	}
	return out, nil
}

// templateTags are the user's metadata.tags plus the GameDay name and spec
// digest (which win over user tags of the same key).
func templateTags(s *gameday.Spec) (map[string]string, error) {
	tags := make(map[string]string, len(s.Metadata.Tags)+2)
	for k, v := range s.Metadata.Tags {
		tags[k] = v
	}
	tags[deploy.TagName] = s.Metadata.Name
	tags[deploy.TagDigest] = SpecDigest(s)
	var errs []error
	if len(tags) > maxTags {
		errs = append(errs, fmt.Errorf("%d tags with gameday's own; FIS takes at most %d", len(tags), maxTags))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		if len(k) > maxTagKey {
			errs = append(errs, fmt.Errorf("tag key %q is longer than %d characters", k, maxTagKey))
		}
		if len(tags[k]) > maxTagValue {
			errs = append(errs, fmt.Errorf("tag %s: value is longer than %d characters", k, maxTagValue))
		}
	}
	return tags, errors.Join(errs...)
}

// clientToken is derived from everything else in the request, so that
// sending the same template twice is idempotent and any change gets a new
// token.
func clientToken(s *gameday.Spec, in *fis.CreateExperimentTemplateInput) string {
	body, err := marshalBody(in)
	if err != nil { // cannot happen for a rendered template; stay deterministic
		body = []byte(SpecDigest(s))
	}
	sum := sha256.Sum256(body)
	tok := "gameday-" + s.Metadata.Name + "-" + hex.EncodeToString(sum[:12])
	return tok
}

// UpdateInput turns a create request into the update of template id. Tags
// are not part of an update (FIS tags templates with TagResource); account
// targeting cannot change after creation.
//
// The SDK declares an update's actions, targets and stop conditions with
// the same members as a create's, so they are converted, not copied member
// by member: should a new SDK add a member to one side only, the build
// stops here instead of the update silently dropping it. The update shares
// in's maps and slices; the caller changes neither.
func UpdateInput(id string, in *fis.CreateExperimentTemplateInput) *fis.UpdateExperimentTemplateInput {
	up := &fis.UpdateExperimentTemplateInput{
		Id:          aws.String(id),
		Description: in.Description,
		RoleArn:     in.RoleArn,
	}
	if in.Actions != nil {
		up.Actions = make(map[string]types.UpdateExperimentTemplateActionInputItem, len(in.Actions))
		for k, a := range in.Actions {
			up.Actions[k] = types.UpdateExperimentTemplateActionInputItem(a)
		}
	}
	if in.Targets != nil {
		up.Targets = make(map[string]types.UpdateExperimentTemplateTargetInput, len(in.Targets))
		for k, t := range in.Targets {
			up.Targets[k] = types.UpdateExperimentTemplateTargetInput(t)
		}
	}
	for _, sc := range in.StopConditions {
		up.StopConditions = append(up.StopConditions, types.UpdateExperimentTemplateStopConditionInput(sc))
	}
	if lc := in.LogConfiguration; lc != nil {
		up.LogConfiguration = &types.UpdateExperimentTemplateLogConfigurationInput{
			LogSchemaVersion:            lc.LogSchemaVersion,
			S3Configuration:             lc.S3Configuration,
			CloudWatchLogsConfiguration: lc.CloudWatchLogsConfiguration,
		}
	}
	if eo := in.ExperimentOptions; eo != nil {
		up.ExperimentOptions = &types.UpdateExperimentTemplateExperimentOptionsInput{
			EmptyTargetResolutionMode: eo.EmptyTargetResolutionMode,
		}
	}
	return up
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return append([]string(nil), s...)
}

func cloneMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
