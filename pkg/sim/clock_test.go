package sim_test

import (
	"context"
	"encoding/json"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/middleware"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/sfnsim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestManualClockReachesEveryService: with Options.Clock, every service
// stamps what it records with the manual clock's time (which no wall clock
// could give), and the schedules fire on it, once per period advanced.
func TestManualClockReachesEveryService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, cfg, clock := simtest.NewManual(t, sim.Options{})
		ctx := context.Background()
		var ticks []time.Time
		s.Lambda().Register("tick", lambda.NewHandler(func(context.Context, json.RawMessage) (string, error) {
			ticks = append(ticks, s.Clock().Now())
			return "ok", nil
		}))
		s.Schedule("every-minute", time.Minute, "tick", []byte(`{}`))
		clock.Advance(time.Hour)
		now := simtest.Epoch.Add(time.Hour)
		if len(ticks) != 60 || !ticks[0].Equal(simtest.Epoch.Add(time.Minute)) || !ticks[59].Equal(now) {
			t.Errorf("a one-minute schedule over an hour ran %d times (first %v, last %v), want 60 from %v to %v",
				len(ticks), first(ticks), last(ticks), simtest.Epoch.Add(time.Minute), now)
		}

		stamps := map[string]time.Time{}
		api := fis.NewFromConfig(cfg)
		tmpl, err := api.CreateExperimentTemplate(ctx, waitTemplate("clock"))
		if err != nil {
			t.Fatal(err)
		}
		exp, err := api.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: tmpl.ExperimentTemplate.Id, ClientToken: aws.String("clock")})
		if err != nil {
			t.Fatal(err)
		}
		stamps["FIS experiment start"] = aws.ToTime(exp.Experiment.StartTime)

		cw := cloudwatch.NewFromConfig(cfg)
		if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName: aws.String("clock"), Namespace: aws.String("SockShop"), MetricName: aws.String("ErrorRate"),
			Statistic: cwtypes.StatisticAverage, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
			Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanThreshold,
		}); err != nil {
			t.Fatal(err)
		}
		alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"clock"}})
		if err != nil || len(alarms.MetricAlarms) != 1 {
			t.Fatalf("DescribeAlarms: %v", err)
		}
		stamps["CloudWatch alarm state"] = aws.ToTime(alarms.MetricAlarms[0].StateUpdatedTimestamp)

		ddb := dynamodb.NewFromConfig(cfg)
		if _, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:            aws.String("clock"),
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: ddbtypes.KeyTypeHash}},
			BillingMode:          ddbtypes.BillingModePayPerRequest,
		}); err != nil {
			t.Fatal(err)
		}
		table, err := ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("clock")})
		if err != nil {
			t.Fatal(err)
		}
		stamps["DynamoDB table creation"] = aws.ToTime(table.Table.CreationDateTime)

		if _, err := eventbridge.NewFromConfig(cfg).PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("gameday"), DetailType: aws.String("clock"), Detail: aws.String(`{}`)},
		}}); err != nil {
			t.Fatal(err)
		}
		stamps["EventBridge event"] = s.Events().Events()[0].Time

		topic, err := s.SNS().CreateTopic("clock")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sns.NewFromConfig(cfg).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("tick")}); err != nil {
			t.Fatal(err)
		}
		stamps["SNS message"] = s.SNS().Messages()[0].Time

		arn := "arn:aws:states:us-east-1:123456789012:execution:gameday:clock"
		s.StepFunctions().Track(arn, "arn:aws:states:us-east-1:123456789012:stateMachine:gameday", "clock", "{}")
		ex, err := sfn.NewFromConfig(cfg).DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		stamps["Step Functions execution start"] = aws.ToTime(ex.StartDate)

		for what, at := range stamps {
			if !at.Equal(now) {
				t.Errorf("%s at %v, want the manual clock's %v", what, at.UTC(), now)
			}
		}
	})
}

func first(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[0]
}

func last(ts []time.Time) time.Time {
	if len(ts) == 0 {
		return time.Time{}
	}
	return ts[len(ts)-1]
}

// TestAnswersDatedBySimulatedClock: every service's answer carries the
// simulator's time in its Date header, as AWS's answers carry AWS's, which
// the SDK reads as the server's time (the CLI names executions by it).
func TestAnswersDatedBySimulatedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, cfg, clock := simtest.NewManual(t, sim.Options{})
		ctx := context.Background()
		sm := s.StepFunctions().CreateStateMachine(sfnsim.StateMachine{Name: "dated"})
		clock.Advance(90*time.Minute + 1500*time.Millisecond)
		want := simtest.Epoch.Add(90*time.Minute + time.Second) // whole seconds, as HTTP dates are
		calls := map[string]func() (middleware.Metadata, error){
			"Step Functions": func() (middleware.Metadata, error) {
				out, err := sfn.NewFromConfig(cfg).ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm)})
				return resultMetadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
			},
			"FIS": func() (middleware.Metadata, error) {
				out, err := fis.NewFromConfig(cfg).ListExperiments(ctx, &fis.ListExperimentsInput{})
				return resultMetadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
			},
			"CloudWatch": func() (middleware.Metadata, error) {
				out, err := cloudwatch.NewFromConfig(cfg).ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
				return resultMetadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
			},
			"SNS": func() (middleware.Metadata, error) {
				out, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
				return resultMetadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
			},
			"S3": func() (middleware.Metadata, error) {
				out, err := s3Client(cfg).ListBuckets(ctx, &s3.ListBucketsInput{})
				return resultMetadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
			},
		}
		for name, call := range calls {
			md, err := call()
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if got, ok := awsmiddleware.GetServerTime(md); !ok || !got.Equal(want) {
				t.Errorf("%s answered at %v (dated: %t), want the simulated %v", name, got, ok, want)
			}
		}
	})
}

// resultMetadata is an output's metadata, once the call succeeded.
func resultMetadata[O any](out *O, err error, md func() middleware.Metadata) (middleware.Metadata, error) {
	if err != nil || out == nil {
		return middleware.Metadata{}, err
	}
	return md(), nil
}
