package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

func objectLike(m map[string]any) any        { return assertions.Match_ObjectLike(&m) }
func arrayWith(items ...any) any             { return assertions.Match_ArrayWith(&items) }
func props(m map[string]any) *map[string]any { return &m }

func TestBuckets(t *testing.T) {
	s := fullStack(t)
	buckets := s.resources("AWS::S3::Bucket")
	var ids []string
	for id := range buckets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if diff := cmp.Diff([]string{LogicalIDAccessLogBucket, LogicalIDArchiveBucket, LogicalIDLogBucket}, ids); diff != "" {
		t.Errorf("bucket logical IDs (-want +got):\n%s", diff)
	}
	for _, id := range ids {
		b := buckets[id]
		if b["DeletionPolicy"] != "Retain" || b["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: DeletionPolicy %v, UpdateReplacePolicy %v, want Retain", id, b["DeletionPolicy"], b["UpdateReplacePolicy"])
		}
	}
	common := map[string]any{
		"PublicAccessBlockConfiguration": map[string]any{
			"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
		},
		"BucketEncryption": objectLike(map[string]any{
			"ServerSideEncryptionConfiguration": arrayWith(objectLike(map[string]any{
				"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"},
			})),
		}),
		"OwnershipControls":      map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}},
		"LifecycleConfiguration": objectLike(map[string]any{"Rules": assertions.Match_AnyValue()}),
	}
	withLogging := func(extra map[string]any) map[string]any {
		m := map[string]any{"LoggingConfiguration": objectLike(map[string]any{
			"DestinationBucketName": map[string]any{"Ref": LogicalIDAccessLogBucket},
		})}
		for k, v := range common {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		id    string
		props map[string]any
	}{
		{LogicalIDAccessLogBucket, common},
		{LogicalIDLogBucket, withLogging(map[string]any{
			"LifecycleConfiguration": map[string]any{"Rules": arrayWith(objectLike(map[string]any{
				"ExpirationInDays": 90, "Status": "Enabled",
			}))},
		})},
		{LogicalIDArchiveBucket, withLogging(map[string]any{
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"ObjectLockEnabled":       true,
			"ObjectLockConfiguration": map[string]any{
				"ObjectLockEnabled": "Enabled",
				"Rule":              map[string]any{"DefaultRetention": map[string]any{"Mode": "COMPLIANCE", "Days": 30}},
			},
			"LifecycleConfiguration": map[string]any{"Rules": arrayWith(objectLike(map[string]any{
				"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 365},
			}))},
		})},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			must(t, "bucket properties", func() {
				s.template.HasResource(jsii.String("AWS::S3::Bucket"), props(map[string]any{
					"Properties": objectLike(tt.props),
				}))
			})
			if got := buckets[tt.id]; got == nil {
				t.Fatalf("no bucket %s", tt.id)
			}
		})
	}
	// Every bucket's policy refuses plain HTTP.
	for _, id := range ids {
		must(t, id+" TLS enforced", func() {
			s.template.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), props(map[string]any{
				"Bucket": map[string]any{"Ref": id},
				"PolicyDocument": objectLike(map[string]any{"Statement": arrayWith(objectLike(map[string]any{
					"Effect":    "Deny",
					"Action":    "s3:*",
					"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				}))}),
			}))
		})
	}
	// FIS log delivery may write under the prefix, for this account only.
	var delivery []statement
	for _, r := range s.resources("AWS::S3::BucketPolicy") {
		p := r["Properties"].(map[string]any)
		if !cmp.Equal(p["Bucket"], map[string]any{"Ref": LogicalIDLogBucket}) {
			continue
		}
		for _, st := range statements(p["PolicyDocument"]) {
			if cmp.Equal(st.Principal, map[string]any{"Service": "delivery.logs.amazonaws.com"}) {
				delivery = append(delivery, flatAll(st))
			}
		}
	}
	sourceArn := map[string]any{"aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:*"}
	wantDelivery := []statement{
		{
			Sid: "AWSLogDeliveryWrite", Principal: map[string]any{"Service": "delivery.logs.amazonaws.com"},
			Actions:   []string{"s3:PutObject"},
			Resources: []any{"<GameDayFisLogBucket.Arn>/fis-logs/AWSLogs/123456789012/*"},
			Condition: map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": "123456789012", "s3:x-amz-acl": "bucket-owner-full-control"},
				"ArnLike":      sourceArn,
			},
		},
		{
			Sid: "AWSLogDeliveryAclCheck", Principal: map[string]any{"Service": "delivery.logs.amazonaws.com"},
			Actions:   []string{"s3:GetBucketAcl", "s3:ListBucket"},
			Resources: []any{"<GameDayFisLogBucket.Arn>"},
			Condition: map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"}, "ArnLike": sourceArn},
		},
	}
	if diff := cmp.Diff(wantDelivery, delivery); diff != "" {
		t.Errorf("log delivery statements (-want +got):\n%s", diff)
	}
}

func TestArchiveWithoutObjectLock(t *testing.T) {
	s := minimalStack(t)
	b := s.resources("AWS::S3::Bucket")[LogicalIDArchiveBucket]
	if b == nil {
		t.Fatal("no archive bucket")
	}
	p := b["Properties"].(map[string]any)
	if _, ok := p["ObjectLockConfiguration"]; ok {
		t.Errorf("archive bucket has Object Lock without ArchiveObjectLockDays: %v", p["ObjectLockConfiguration"])
	}
	if got := p["VersioningConfiguration"]; !cmp.Equal(got, map[string]any{"Status": "Enabled"}) {
		t.Errorf("archive VersioningConfiguration = %v, want Enabled", got)
	}
}

func TestFISRole(t *testing.T) {
	s := fullStack(t)
	role := s.resources("AWS::IAM::Role")[logicalID(t, s, "AWS::IAM::Role", "FisExperimentRole")]
	trust := statements(role["Properties"].(map[string]any)["AssumeRolePolicyDocument"])
	wantTrust := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"},
		"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:fis:us-east-1:123456789012:experiment/*"},
	}
	if len(trust) != 1 || !cmp.Equal(trust[0].Principal, map[string]any{"Service": "fis.amazonaws.com"}) {
		t.Errorf("FIS role trust = %+v, want one statement for fis.amazonaws.com", trust)
	} else if diff := cmp.Diff(wantTrust, flatAll(trust[0].Condition)); diff != "" {
		t.Errorf("FIS role trust condition (-want +got):\n%s", diff)
	}
	fisPolicy := policyOf(t, s, "FisExperimentRole")
	for _, want := range []string{"logs:CreateLogDelivery", "logs:GetLogDelivery", "s3:PutBucketPolicy", "eks:DescribeCluster"} {
		if !slices.Contains(fisPolicy.actions(), want) {
			t.Errorf("FIS role policy lacks %s; has %v", want, fisPolicy.actions())
		}
	}
	if got := flatAll(fisPolicy.resourcesOf("eks:DescribeCluster")); !cmp.Equal(got, []any{
		"arn:aws:eks:us-east-1:123456789012:cluster/sandbox", "arn:aws:eks:us-east-1:123456789012:cluster/staging",
	}) {
		t.Errorf("eks:DescribeCluster resources = %v, want the two named clusters", got)
	}
	must(t, "access entries", func() {
		s.template.ResourceCountIs(jsii.String("AWS::EKS::AccessEntry"), jsii.Number(2))
		s.template.HasResourceProperties(jsii.String("AWS::EKS::AccessEntry"), props(map[string]any{
			"ClusterName":      "staging",
			"KubernetesGroups": []any{DefaultKubernetesGroup},
			"Type":             "STANDARD",
			"PrincipalArn":     map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::IAM::Role", "FisExperimentRole"), "Arn"}},
		}))
	})
	must(t, "no access entries without clusters", func() {
		minimalStack(t).template.ResourceCountIs(jsii.String("AWS::EKS::AccessEntry"), jsii.Number(0))
	})
}

// TestNoStarActions walks every IAM policy and refuses Action "*" (or
// "service:*").
func TestNoStarActions(t *testing.T) {
	for name, s := range map[string]*synthesized{"full": fullStack(t), "minimal": minimalStack(t)} {
		for id, r := range s.resources("AWS::IAM::Policy") {
			for _, st := range statements(r["Properties"].(map[string]any)["PolicyDocument"]) {
				for _, a := range st.Actions {
					if a == "*" || strings.HasSuffix(a, ":*") {
						t.Errorf("%s: policy %s allows %q", name, id, a)
					}
				}
			}
		}
	}
}

func TestFunctions(t *testing.T) {
	s := fullStack(t)
	fns := s.resources("AWS::Lambda::Function")
	if len(fns) != len(functionSpecs) {
		t.Errorf("got %d functions, want %d", len(fns), len(functionSpecs))
	}
	wantEnv := map[string]map[string]any{
		"Preflight": {
			deploy.KeyAccountID: "123456789012", deploy.KeyLeaseTable: map[string]any{"Ref": LogicalIDLeaseTable},
			deploy.KeyExecutionTimeout: "15h0m0s",                                                                                                                                                                                                                           // ExecutionTimeout of the test GameDays, as the state machine has it
			deploy.KeyPolicy:           s.json["Resources"].(map[string]any)[logicalID(t, s, "AWS::Lambda::Function", "PreflightFunction")].(map[string]any)["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)[deploy.KeyPolicy], // TestDeployedPolicy reads it
		},
		"StartExperiment": {
			deploy.KeyAccountID:  "123456789012",
			deploy.KeyFISRoleARN: map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::IAM::Role", "FisExperimentRole"), "Arn"}},
			deploy.KeyLogBucket:  map[string]any{"Ref": LogicalIDLogBucket},
			deploy.KeyLogPrefix:  "fis-logs/",
		},
		"Archive": {
			deploy.KeyAccountID:     "123456789012",
			deploy.KeyArchiveBucket: map[string]any{"Ref": LogicalIDArchiveBucket},
			deploy.KeyLogBucket:     map[string]any{"Ref": LogicalIDLogBucket},
			deploy.KeyLogPrefix:     "fis-logs/",
			deploy.KeyLogWaitLimit:  "15m0s",
			deploy.KeyDashboards:    "carts-latency,long-soak",
		},
		"Notify": {
			deploy.KeyTopicARN:     map[string]any{"Ref": logicalID(t, s, "AWS::SNS::Topic", "NotificationsTopic")},
			deploy.KeyEventBusName: "default",
			deploy.KeyLeaseTable:   map[string]any{"Ref": LogicalIDLeaseTable},
		},
		"PollExperiment": nil,
		"StopExperiment": nil,
		"Guard":          {deploy.KeyLeaseTable: map[string]any{"Ref": LogicalIDLeaseTable}},
		"Sweeper": {
			deploy.KeyLeaseTable: map[string]any{"Ref": LogicalIDLeaseTable},
			deploy.KeyTopicARN:   map[string]any{"Ref": logicalID(t, s, "AWS::SNS::Topic", "NotificationsTopic")},
			// The state machine's own ARN, built from its fixed name (checked below).
			deploy.KeyStateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:GameDayTest-run",
		},
	}
	// The sweeper's STATE_MACHINE_ARN is built from this name.
	sm := s.resources("AWS::StepFunctions::StateMachine")[logicalID(t, s, "AWS::StepFunctions::StateMachine", "WorkflowStateMachine")]
	if got := sm["Properties"].(map[string]any)["StateMachineName"]; got != "GameDayTest-run" {
		t.Errorf("StateMachineName = %v, want GameDayTest-run", got)
	}
	for _, spec := range functionSpecs {
		prefix := spec.name.ID()
		t.Run(string(spec.name), func(t *testing.T) {
			id := logicalID(t, s, "AWS::Lambda::Function", prefix+"Function")
			p := fns[id]["Properties"].(map[string]any)
			got := map[string]any{
				"Runtime": p["Runtime"], "Architectures": p["Architectures"], "Handler": p["Handler"],
				"LoggingConfig": p["LoggingConfig"],
			}
			want := map[string]any{
				"Runtime": "provided.al2023", "Architectures": []any{"arm64"}, "Handler": "bootstrap",
				"LoggingConfig": map[string]any{
					"LogFormat": "JSON", "ApplicationLogLevel": "INFO", "SystemLogLevel": "WARN",
					"LogGroup": map[string]any{"Ref": logicalID(t, s, "AWS::Logs::LogGroup", prefix+"Logs")},
				},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("function (-want +got):\n%s", diff)
			}
			// A Task times out only on a lost invocation: the Lambda's own
			// timeout, after an Init phase of at most 10 s, ends its run first.
			if to, _ := p["Timeout"].(float64); to <= 0 || to+10 >= workflow.TaskTimeoutSeconds {
				t.Errorf("Timeout = %v s, want it set and, with Lambda's 10 s Init phase, below the Task timeout of %d s", p["Timeout"], workflow.TaskTimeoutSeconds)
			}
			var env map[string]any
			if e, ok := p["Environment"].(map[string]any); ok {
				env, _ = e["Variables"].(map[string]any)
			}
			if v, ok := env[deploy.KeyStateMachineARN]; ok {
				env[deploy.KeyStateMachineARN] = flat(v)
			}
			if diff := cmp.Diff(wantEnv[prefix], env, cmpEmpty); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
			lg := s.resources("AWS::Logs::LogGroup")[logicalID(t, s, "AWS::Logs::LogGroup", prefix+"Logs")]
			if got := lg["Properties"].(map[string]any)["RetentionInDays"]; got != float64(30) {
				t.Errorf("log group RetentionInDays = %v, want 30", got)
			}
		})
	}
}

var cmpEmpty = cmp.Comparer(func(a, b map[string]any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return cmp.Equal(a, b)
})

// TestLeastPrivilege pins what the sensitive grants reach.
func TestLeastPrivilege(t *testing.T) {
	s := fullStack(t)
	fisRole := map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::IAM::Role", "FisExperimentRole"), "Arn"}}
	// iam:PassRole on the FIS role only, to FIS only, and only by start-experiment.
	for _, spec := range functionSpecs {
		pol := policyOf(t, s, spec.name.ID()+"Role")
		for _, st := range pol.statements {
			if !slices.Contains(st.Actions, "iam:PassRole") {
				continue
			}
			if spec.name != deploy.StartExperiment {
				t.Errorf("%s may pass roles", spec.name)
			}
			if !cmp.Equal(st.Resources, []any{fisRole}) {
				t.Errorf("iam:PassRole on %v, want only the FIS role", st.Resources)
			}
			if !cmp.Equal(st.Condition, map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "fis.amazonaws.com"}}) {
				t.Errorf("iam:PassRole condition = %v", st.Condition)
			}
		}
		// Alarms are written only under the gameday- prefix.
		for _, a := range []string{"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"} {
			for _, r := range pol.resourcesOf(a) {
				if flat(r) != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:gameday-*" {
					t.Errorf("%s: %s on %s, want only alarm:gameday-*", spec.name, a, r)
				}
			}
		}
		// FIS writes only on resources gameday tags.
		for _, st := range pol.statements {
			for _, a := range st.Actions {
				if !slices.Contains([]string{"fis:StartExperiment", "fis:StopExperiment", "fis:UpdateExperimentTemplate", "fis:CreateExperimentTemplate", "fis:TagResource"}, a) {
					continue
				}
				if st.Condition == nil && !onlyNamedActions(st) {
					t.Errorf("%s: %s without a gameday tag condition", spec.name, a)
				}
			}
		}
		// Only the archive Lambda touches the buckets (notify links to the
		// summary; it does not read it).
		if spec.name != deploy.Archive {
			for _, st := range pol.statements {
				for _, a := range st.Actions {
					if strings.HasPrefix(a, "s3:") {
						t.Errorf("%s: %s on %v, want no S3 access", spec.name, a, st.Resources)
					}
				}
			}
		}
		// S3 writes only to the archive's gamedays/ prefix.
		for _, r := range pol.resourcesOf("s3:PutObject") {
			want := map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{LogicalIDArchiveBucket, "Arn"}}, "/gamedays/*"}}}
			if !cmp.Equal(r, want) {
				t.Errorf("%s: s3:PutObject on %v, want the archive's gamedays/*", spec.name, r)
			}
		}
	}
	pre := policyOf(t, s, "PreflightRole")
	if got := pre.resourcesOf("cloudwatch:PutMetricAlarm"); len(got) != 1 {
		t.Errorf("preflight cannot stage alarms: %v", got)
	}
	// Preflight asks ListMetrics whether what each stop condition watches
	// exists (no resource-level permission: *), and may read no data.
	if got := pre.resourcesOf("cloudwatch:ListMetrics"); !cmp.Equal(got, []any{"*"}) {
		t.Errorf("preflight: cloudwatch:ListMetrics on %v, want [*]", got)
	}
	if got := pre.resourcesOf("cloudwatch:GetMetricData"); len(got) != 0 {
		t.Errorf("preflight: cloudwatch:GetMetricData on %v, want none", got)
	}
	// The archive reads the checks' metrics and, for a check with no
	// datapoints, asks ListMetrics whether the metric exists at all.
	arc := policyOf(t, s, deploy.Archive.ID()+"Role")
	for _, a := range []string{"cloudwatch:GetMetricData", "cloudwatch:ListMetrics"} {
		if got := arc.resourcesOf(a); len(got) != 1 {
			t.Errorf("archive: %s on %v, want one statement", a, got)
		}
	}
}

func TestStateMachine(t *testing.T) {
	s := fullStack(t)
	sms := s.resources("AWS::StepFunctions::StateMachine")
	if len(sms) != 1 {
		t.Fatalf("got %d state machines, want 1", len(sms))
	}
	var p map[string]any
	for _, r := range sms {
		p = r["Properties"].(map[string]any)
	}
	if p["StateMachineType"] != "STANDARD" {
		t.Errorf("StateMachineType = %v, want STANDARD", p["StateMachineType"])
	}
	if got := p["TracingConfiguration"]; !cmp.Equal(got, map[string]any{"Enabled": true}) {
		t.Errorf("TracingConfiguration = %v, want enabled", got)
	}
	lc, _ := p["LoggingConfiguration"].(map[string]any)
	if lc["Level"] != "ALL" || lc["IncludeExecutionData"] != true {
		t.Errorf("LoggingConfiguration = %v, want Level ALL with execution data", lc)
	}
	// Every log group, the state machine's included, has an explicit
	// retention.
	for id, lg := range s.resources("AWS::Logs::LogGroup") {
		if got := lg["Properties"].(map[string]any)["RetentionInDays"]; got != float64(30) {
			t.Errorf("log group %s RetentionInDays = %v, want 30", id, got)
		}
	}
	wfLogs := s.resources("AWS::Logs::LogGroup")[logicalID(t, s, "AWS::Logs::LogGroup", "WorkflowLogs")]
	if got := wfLogs["Properties"].(map[string]any)["LogGroupName"]; got != "/aws/vendedlogs/states/GameDayTest-workflow" {
		t.Errorf("state machine log group name = %v", got)
	}
	def, ok := p["DefinitionString"].(string)
	if !ok {
		t.Fatalf("DefinitionString is %T, want the literal definition", p["DefinitionString"])
	}
	want, err := workflow.Definition(workflow.Options{TimeoutSeconds: ExecutionTimeout(12*time.Hour, s.stack.gameDays())})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, def); diff != "" {
		t.Errorf("deployed definition differs from pkg/workflow's (-want +got):\n%s", diff)
	}
	if err := workflow.Check(def); err != nil {
		t.Errorf("deployed definition: %v", err)
	}
	subs, _ := p["DefinitionSubstitutions"].(map[string]any)
	for _, fn := range workflow.Functions {
		want := map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::Lambda::Function", fn.ID()+"Function"), "Arn"}}
		if got := subs[workflow.Placeholder(fn)]; !cmp.Equal(got, want) {
			t.Errorf("substitution %s = %v, want %v", workflow.Placeholder(fn), got, want)
		}
	}
	if len(subs) != len(workflow.Functions) {
		t.Errorf("got %d substitutions, want %d", len(subs), len(workflow.Functions))
	}
	// The state machine may invoke exactly the step functions.
	invoke := policyOf(t, s, "WorkflowStateMachineRole").resourcesOf("lambda:InvokeFunction")
	if len(invoke) != len(workflow.Functions) {
		t.Errorf("lambda:InvokeFunction on %d resources, want %d: %v", len(invoke), len(workflow.Functions), invoke)
	}
}

// TestFunctionTimeoutsHoldAnUnansweredCall: every Lambda's timeout holds
// one AWS call that AWS never answers (deploy.AWSUnanswered: the SDK's
// attempts, each cut at deploy.AWSWait) and the rest of its work, so that
// the call ends in an error the step names AWSUnavailable and its Task
// retries, not in the Lambda's timeout.
func TestFunctionTimeoutsHoldAnUnansweredCall(t *testing.T) {
	const rest = 10 * time.Second // the step's own work and its answered calls
	for _, spec := range functionSpecs {
		if spec.timeout < deploy.AWSUnanswered+rest {
			t.Errorf("%s: timeout %s, under an unanswered AWS call (%s) and %s for the rest", spec.name, spec.timeout, deploy.AWSUnanswered, rest)
		}
	}
}

func TestExecutionTimeout(t *testing.T) {
	s := fullStack(t)
	var def map[string]any
	for _, r := range s.resources("AWS::StepFunctions::StateMachine") {
		if err := json.Unmarshal([]byte(r["Properties"].(map[string]any)["DefinitionString"].(string)), &def); err != nil {
			t.Fatal(err)
		}
	}
	longest := time.Duration(0)
	for _, f := range s.stack.gameDays() {
		longest = max(longest, f.Spec.ExperimentTimeout())
	}
	if longest != 14*time.Hour {
		t.Fatalf("the fixtures' longest timeout is %v, want 14h (long-soak.yaml)", longest)
	}
	got := time.Duration(def["TimeoutSeconds"].(float64)) * time.Second
	if got <= longest {
		t.Errorf("execution timeout %v is not above the longest GameDay timeout %v", got, longest)
	}
	if want := longest + WorkflowMargin; got != want {
		t.Errorf("execution timeout = %v, want %v", got, want)
	}
	tests := []struct {
		name string
		max  time.Duration
		days []time.Duration
		want time.Duration
	}{
		{"none", 12 * time.Hour, nil, 13 * time.Hour},
		{"shorter ones", 12 * time.Hour, []time.Duration{20 * time.Minute}, 13 * time.Hour},
		{"a longer one", 2 * time.Hour, []time.Duration{3*time.Hour + 500*time.Millisecond}, 4*time.Hour + time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var files []GameDayFile
			for _, d := range tt.days {
				sp := &gameday.Spec{}
				sp.Spec.Timeouts.Experiment = gameday.Duration{Duration: d}
				files = append(files, GameDayFile{Spec: sp})
			}
			if got := time.Duration(ExecutionTimeout(tt.max, files)) * time.Second; got != tt.want {
				t.Errorf("ExecutionTimeout = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSchedules(t *testing.T) {
	s := fullStack(t)
	schedules := s.resources("AWS::Scheduler::Schedule")
	delete(schedules, logicalID(t, s, "AWS::Scheduler::Schedule", "SweepSchedule")) // TestSweepAndGuardNet
	// carts-latency (us-east-1, scheduled); long-soak has no schedule;
	// prod-checkout belongs to another account.
	if len(schedules) != 1 {
		t.Fatalf("got %d schedules, want 1 (carts-latency)", len(schedules))
	}
	var p map[string]any
	for _, r := range schedules {
		p = r["Properties"].(map[string]any)
	}
	sm := logicalID(t, s, "AWS::StepFunctions::StateMachine", "WorkflowStateMachine")
	got := map[string]any{
		"ScheduleExpression": p["ScheduleExpression"], "ScheduleExpressionTimezone": p["ScheduleExpressionTimezone"],
		"State": p["State"], "Arn": p["Target"].(map[string]any)["Arn"],
	}
	want := map[string]any{
		"ScheduleExpression": "cron(0 10 ? * TUE *)", "ScheduleExpressionTimezone": "Asia/Tokyo",
		"State": "ENABLED", "Arn": map[string]any{"Ref": sm},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	var in gameday.RunInput
	if err := json.Unmarshal([]byte(p["Target"].(map[string]any)["Input"].(string)), &in); err != nil {
		t.Fatalf("schedule input is not a RunInput: %v", err)
	}
	if in.Source != "schedule" || in.GameDay == nil || in.GameDay.Metadata.Name != "carts-latency" || !strings.Contains(in.SpecYAML, "name: carts-latency") {
		t.Errorf("schedule input = source %q, gameday %v, specYaml %d bytes; want the carts-latency file", in.Source, in.GameDay, len(in.SpecYAML))
	}
	// The schedule's role may start this state machine and nothing else.
	pol := policyOf(t, s, "SchedulesRole")
	if diff := cmp.Diff([]string{"states:StartExecution", "sqs:SendMessage"}, pol.actions()); diff != "" {
		t.Errorf("schedule role actions (-want +got):\n%s", diff)
	}
	dlq := map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::SQS::Queue", "SweepScheduleDeadLetters"), "Arn"}}
	if got := pol.resourcesOf("sqs:SendMessage"); !cmp.Equal(got, []any{dlq}) {
		t.Errorf("sqs:SendMessage on %v, want only the schedules' dead-letter queue", got)
	}
	if got := pol.resourcesOf("states:StartExecution"); !cmp.Equal(got, []any{map[string]any{"Ref": sm}}) {
		t.Errorf("states:StartExecution on %v, want only the state machine", got)
	}
	must(t, "scheduler trust", func() {
		s.template.HasResourceProperties(jsii.String("AWS::IAM::Role"), props(map[string]any{
			"AssumeRolePolicyDocument": objectLike(map[string]any{"Statement": []any{objectLike(map[string]any{
				"Principal": map[string]any{"Service": "scheduler.amazonaws.com"},
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"}},
			})}}),
		}))
	})
	must(t, "no GameDay schedules without GameDays, only the sweeper's", func() {
		minimalStack(t).template.ResourceCountIs(jsii.String("AWS::Scheduler::Schedule"), jsii.Number(1))
	})
}

func TestGuardAlarmAndTopic(t *testing.T) {
	s := fullStack(t)
	sm := map[string]any{"Ref": logicalID(t, s, "AWS::StepFunctions::StateMachine", "WorkflowStateMachine")}
	must(t, "guard rule", func() {
		s.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), props(map[string]any{
			"EventPattern": map[string]any{
				"source":      []any{"aws.states"},
				"detail-type": []any{"Step Functions Execution Status Change"},
				"detail":      map[string]any{"status": []any{"FAILED", "TIMED_OUT", "ABORTED"}, "stateMachineArn": []any{sm}},
			},
			"Targets": []any{objectLike(map[string]any{
				"Arn": map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::Lambda::Function", "GuardFunction"), "Arn"}},
			})},
		}))
	})
	must(t, "execution alarm", func() {
		s.template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), props(map[string]any{
			"ComparisonOperator": "GreaterThanOrEqualToThreshold",
			"Threshold":          1,
			"TreatMissingData":   "notBreaching",
			"AlarmActions":       []any{map[string]any{"Ref": logicalID(t, s, "AWS::SNS::Topic", "NotificationsTopic")}},
			"Metrics": arrayWith(
				objectLike(map[string]any{"Expression": "failed + timedOut + aborted"}),
				objectLike(map[string]any{"Id": "aborted", "MetricStat": objectLike(map[string]any{
					"Metric": objectLike(map[string]any{"MetricName": "ExecutionsAborted"}),
				})}),
				objectLike(map[string]any{"Id": "failed", "MetricStat": objectLike(map[string]any{
					"Metric": objectLike(map[string]any{"MetricName": "ExecutionsFailed", "Namespace": "AWS/States"}),
				})}),
				objectLike(map[string]any{"Id": "timedOut", "MetricStat": objectLike(map[string]any{
					"Metric": objectLike(map[string]any{"MetricName": "ExecutionsTimedOut"}),
				})}),
			),
		}))
	})
	must(t, "encrypted topic", func() {
		s.template.HasResourceProperties(jsii.String("AWS::SNS::Topic"), props(map[string]any{
			"KmsMasterKeyId": map[string]any{"Fn::GetAtt": []any{logicalID(t, s, "AWS::KMS::Key", "NotificationsKey"), "Arn"}},
		}))
		s.template.HasResourceProperties(jsii.String("AWS::KMS::Key"), props(map[string]any{"EnableKeyRotation": true}))
	})
	must(t, "email subscription", func() {
		s.template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), props(map[string]any{
			"Protocol": "email", "Endpoint": "sre@example.com",
		}))
		minimalStack(t).template.ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(0))
	})
	outputs := s.json["Outputs"].(map[string]any)
	var names []string
	for k := range outputs {
		names = append(names, k)
	}
	sort.Strings(names)
	wantOutputs := []string{deploy.OutputArchiveBucket, deploy.OutputFISRoleARN, deploy.OutputLogBucket, deploy.OutputStateMachineARN, deploy.OutputTopicARN, deploy.OutputDashboards}
	sort.Strings(wantOutputs)
	if diff := cmp.Diff(wantOutputs, names); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if got := outputs[deploy.OutputStateMachineARN].(map[string]any)["Value"]; !cmp.Equal(got, sm) {
		t.Errorf("%s = %v, want %v", deploy.OutputStateMachineARN, got, sm)
	}
}

// TestNag applies cdk-nag's AwsSolutions pack: no unsuppressed finding,
// and every suppression has a written reason.
func TestNag(t *testing.T) {
	for name, s := range map[string]*synthesized{"full": fullStack(t), "minimal": minimalStack(t)} {
		t.Run(name, func(t *testing.T) {
			ann := assertions.Annotations_FromStack(s.stack.Stack)
			var found []string
			for _, level := range []string{"error", "warning"} {
				must(t, "find "+level, func() {
					m := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
					find := ann.FindError
					if level == "warning" {
						find = ann.FindWarning
					}
					// Read the messages as JSON: cxapi.SynthesisMessage is
					// deprecated in Go, though FindError still returns it.
					b, err := json.Marshal(find(jsii.String("*"), m))
					if err != nil {
						t.Fatal(err)
					}
					var msgs []struct {
						ID    string `json:"id"`
						Entry struct {
							Data any `json:"data"`
						} `json:"entry"`
					}
					if err := json.Unmarshal(b, &msgs); err != nil {
						t.Fatal(err)
					}
					for _, msg := range msgs {
						found = append(found, fmt.Sprintf("%s %s: %v", level, msg.ID, msg.Entry.Data))
					}
				})
			}
			if len(found) > 0 {
				t.Errorf("%d unsuppressed cdk-nag findings:\n%s", len(found), strings.Join(found, "\n"))
			}
			for _, sup := range suppressions(s) {
				if len(strings.TrimSpace(sup.reason)) < 20 {
					t.Errorf("suppression %s on %s has no real reason: %q", sup.id, sup.resource, sup.reason)
				}
			}
		})
	}
}

type suppression struct{ resource, id, reason string }

func suppressions(s *synthesized) []suppression {
	var out []suppression
	for id, r := range s.json["Resources"].(map[string]any) {
		md, _ := r.(map[string]any)["Metadata"].(map[string]any)
		nag, _ := md["cdk_nag"].(map[string]any)
		rules, _ := nag["rules_to_suppress"].([]any)
		for _, rule := range rules {
			rm := rule.(map[string]any)
			reason, _ := rm["reason"].(string)
			out = append(out, suppression{id, fmt.Sprint(rm["id"]), reason})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].resource+out[i].id < out[j].resource+out[j].id })
	return out
}

// TestSuppressionsAreFew lists the suppressions (go test -v shows them)
// and bounds their kinds: IAM5 wildcards on roles, SQS3 on the
// dead-letter queues (which need no dead-letter queue of their own),
// nothing else.
func TestSuppressionsAreFew(t *testing.T) {
	s := fullStack(t)
	kinds := map[string]bool{}
	for _, sup := range suppressions(s) {
		t.Logf("%s %s: %s", sup.resource, sup.id, sup.reason)
		kinds[sup.id] = true
	}
	var got []string
	for k := range kinds {
		got = append(got, k)
	}
	sort.Strings(got)
	if diff := cmp.Diff([]string{"AwsSolutions-IAM5", "AwsSolutions-SQS3"}, got); diff != "" {
		t.Errorf("suppressed rules (-want +got):\n%s", diff)
	}
}

// helpers to read the template

func logicalID(t *testing.T, s *synthesized, typ, prefix string) string {
	t.Helper()
	var ids []string
	for id := range s.resources(typ) {
		if strings.HasPrefix(id, prefix) && len(id) == len(prefix)+8 {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s %s*: found %v, want exactly one", typ, prefix, ids)
	}
	return ids[0]
}

type statement struct {
	Sid       string
	Principal any
	Actions   []string
	Resources []any
	Condition map[string]any
}

// onlyNamedActions says whether a statement grants only
// fis:UpdateExperimentTemplate on FIS actions named one by one (the
// policy's): actions carry no tags to condition on, and the grant alone
// allows no update, which needs the template's own, tag-conditioned grant.
func onlyNamedActions(st statement) bool {
	if !slices.Equal(st.Actions, []string{"fis:UpdateExperimentTemplate"}) || len(st.Resources) == 0 {
		return false
	}
	for _, r := range st.Resources {
		if res := flat(r); !strings.Contains(res, ":action/") || strings.Contains(res, "*") {
			return false
		}
	}
	return true
}

type iamPolicy struct{ statements []statement }

func (p iamPolicy) actions() []string {
	var out []string
	for _, st := range p.statements {
		for _, a := range st.Actions {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out
}

// resourcesOf lists the resources of the statements allowing action;
// strings stay strings, tokens stay maps.
func (p iamPolicy) resourcesOf(action string) []any {
	var out []any
	for _, st := range p.statements {
		if slices.Contains(st.Actions, action) {
			out = append(out, st.Resources...)
		}
	}
	return out
}

func statements(doc any) []statement {
	var out []statement
	d, _ := doc.(map[string]any)
	sts, _ := d["Statement"].([]any)
	for _, raw := range sts {
		m := raw.(map[string]any)
		st := statement{Sid: fmt.Sprint(m["Sid"])}
		st.Actions = stringsOf(m["Action"])
		switch r := m["Resource"].(type) {
		case []any:
			st.Resources = r
		case nil:
		default:
			st.Resources = []any{r}
		}
		st.Condition, _ = m["Condition"].(map[string]any)
		st.Principal = m["Principal"]
		out = append(out, st)
	}
	return out
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// policyOf is the default policy attached to the role whose logical ID
// starts with rolePrefix.
func policyOf(t *testing.T, s *synthesized, rolePrefix string) iamPolicy {
	t.Helper()
	role := logicalID(t, s, "AWS::IAM::Role", rolePrefix)
	var p iamPolicy
	for _, r := range s.resources("AWS::IAM::Policy") {
		props := r["Properties"].(map[string]any)
		roles, _ := props["Roles"].([]any)
		if slices.ContainsFunc(roles, func(x any) bool { return cmp.Equal(x, map[string]any{"Ref": role}) }) {
			p.statements = append(p.statements, statements(props["PolicyDocument"])...)
		}
	}
	if len(p.statements) == 0 {
		t.Fatalf("no policy attached to %s", role)
	}
	return p
}

// flat renders a CloudFormation value as the string it resolves to in
// us-east-1 of partition aws: Fn::Join joined, Ref AWS::Partition "aws",
// other Refs and GetAtts as <ID> and <ID.Attr>.
func flat(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		if j, ok := x["Fn::Join"].([]any); ok {
			var parts []string
			for _, p := range j[1].([]any) {
				parts = append(parts, flat(p))
			}
			return strings.Join(parts, j[0].(string))
		}
		if r, ok := x["Ref"].(string); ok {
			if r == "AWS::Partition" {
				return "aws"
			}
			return "<" + r + ">"
		}
		if g, ok := x["Fn::GetAtt"].([]any); ok {
			return fmt.Sprintf("<%v.%v>", g[0], g[1])
		}
	}
	return fmt.Sprint(v)
}

// flatAll flattens every value of a list or a (nested) map.
func flatAll[T any](v T) T {
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = walk(e)
			}
			return out
		case map[string]any:
			for _, intrinsic := range []string{"Fn::Join", "Fn::GetAtt", "Ref"} {
				if _, ok := x[intrinsic]; ok {
					return flat(x)
				}
			}
			out := map[string]any{}
			for k, e := range x {
				out[k] = walk(e)
			}
			return out
		}
		return v
	}
	switch x := any(v).(type) {
	case statement:
		x.Resources = walk(x.Resources).([]any)
		if x.Condition != nil {
			x.Condition = walk(x.Condition).(map[string]any)
		}
		return any(x).(T)
	}
	return walk(any(v)).(T)
}
