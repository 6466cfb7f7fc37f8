package importer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/fis/types"
)

// roundTripper is an HTTP client double for the SDK: it records the request
// body and answers with a fixed response.
type roundTripper struct {
	body     []byte
	response []byte
}

var errStop = errors.New("stop after the request is serialized")

func (r *roundTripper) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		r.body = b
	}
	if r.response == nil {
		return nil, errStop
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(bytes.NewReader(r.response)), Request: req}, nil
}

// client is a FIS client whose requests go to rt, one attempt each, on
// purpose: there is no connection to break, and errStop ends a call once
// its request is recorded.
func client(rt *roundTripper) *fis.Client {
	return fis.New(fis.Options{
		Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"), HTTPClient: rt,
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
	})
}

// fullRequest sets every member of a CreateExperimentTemplate request.
func fullRequest() *fis.CreateExperimentTemplateInput {
	return &fis.CreateExperimentTemplateInput{
		ClientToken: aws.String("token"),
		Description: aws.String("every member"),
		RoleArn:     aws.String("arn:aws:iam::123456789012:role/r"),
		Tags:        map[string]string{"k": "v"},
		Actions: map[string]types.CreateExperimentTemplateActionInput{
			"a": {ActionId: aws.String("aws:ec2:stop-instances"), Description: aws.String("d"), Parameters: map[string]string{"p": "v"},
				StartAfter: []string{"b"}, Targets: map[string]string{"Instances": "t"}},
			"b": {ActionId: aws.String("aws:fis:wait"), Parameters: map[string]string{"duration": "PT1M"}},
		},
		Targets: map[string]types.CreateExperimentTemplateTargetInput{
			"t": {ResourceType: aws.String("aws:ec2:instance"), SelectionMode: aws.String("COUNT(1)"),
				ResourceArns: []string{"arn:aws:ec2:us-east-1:123456789012:instance/i-1"}, ResourceTags: map[string]string{"x": "y"},
				Parameters: map[string]string{"q": "r"},
				Filters:    []types.ExperimentTemplateTargetInputFilter{{Path: aws.String("State.Name"), Values: []string{"running"}}}},
		},
		StopConditions: []types.CreateExperimentTemplateStopConditionInput{{Source: aws.String("aws:cloudwatch:alarm"), Value: aws.String("arn:aws:cloudwatch:us-east-1:123456789012:alarm:a")}},
		LogConfiguration: &types.CreateExperimentTemplateLogConfigurationInput{
			LogSchemaVersion: aws.Int32(2),
			S3Configuration:  &types.ExperimentTemplateS3LogConfigurationInput{BucketName: aws.String("b"), Prefix: aws.String("p/")},
			CloudWatchLogsConfiguration: &types.ExperimentTemplateCloudWatchLogsLogConfigurationInput{
				LogGroupArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:g:*"),
			},
		},
		ExperimentOptions: &types.CreateExperimentTemplateExperimentOptionsInput{
			AccountTargeting: types.AccountTargetingSingleAccount, EmptyTargetResolutionMode: types.EmptyTargetResolutionModeSkip,
		},
		ExperimentReportConfiguration: &types.CreateExperimentTemplateReportConfigurationInput{
			PreExperimentDuration: aws.String("PT5M"), PostExperimentDuration: aws.String("PT5M"),
			DataSources: &types.ExperimentTemplateReportConfigurationDataSourcesInput{
				CloudWatchDashboards: []types.ReportConfigurationCloudWatchDashboardInput{{DashboardIdentifier: aws.String("arn:aws:cloudwatch::123456789012:dashboard/d")}},
			},
			Outputs: &types.ExperimentTemplateReportConfigurationOutputsInput{
				S3Configuration: &types.ReportConfigurationS3OutputInput{BucketName: aws.String("r"), Prefix: aws.String("x/")},
			},
		},
	}
}

// TestDecodeReadsWhatTheSDKSends checks the wire names Decode derives from
// the SDK types against the SDK's own serializer: a request with every
// member set, as the SDK puts it on the wire, decodes to the same request.
func TestDecodeReadsWhatTheSDKSends(t *testing.T) {
	rt := &roundTripper{}
	want := fullRequest()
	if _, err := client(rt).CreateExperimentTemplate(context.Background(), want); !errors.Is(err, errStop) {
		t.Fatalf("CreateExperimentTemplate: %v", err)
	}
	src, err := Decode(rt.body)
	if err != nil {
		t.Fatalf("Decode(%s): %v", rt.body, err)
	}
	if src.Shape != ShapeCreateRequest {
		t.Errorf("shape = %s", src.Shape)
	}
	if !reflect.DeepEqual(src.Template, want) {
		t.Errorf("Decode of the SDK's request body:\n got %+v\nwant %+v", src.Template, want)
	}
}

// TestDecodeAgreesWithTheSDK checks Decode against the SDK's own
// deserializer: the same GetExperimentTemplate response body, read by the
// SDK client and by Decode, gives the same template.
func TestDecodeAgreesWithTheSDK(t *testing.T) {
	for _, file := range []string{"testdata/cli-response/template.json", "testdata/api-response/template.json"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			// The SDK reads the API's shape: wrapped, timestamps as epoch seconds.
			wire := data
			if file == "testdata/api-response/template.json" {
				wire = append(append([]byte(`{"experimentTemplate":`), data...), '}')
			} else {
				wire = bytes.ReplaceAll(bytes.ReplaceAll(data, []byte(`"2026-03-02T09:14:07.512000+00:00"`), []byte(`1772442847.512`)),
					[]byte(`"2026-03-02T09:20:41.100000+00:00"`), []byte(`1772443241.1`))
			}
			out, err := client(&roundTripper{response: wire}).GetExperimentTemplate(context.Background(), &fis.GetExperimentTemplateInput{Id: aws.String("EXT1")})
			if err != nil {
				t.Fatalf("the SDK cannot read it: %v", err)
			}
			want, err := requestOf(out.ExperimentTemplate)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Template, want) {
				t.Errorf("Decode and the SDK disagree:\n got %+v\nwant %+v", got.Template, want)
			}
			if got.ID != aws.ToString(out.ExperimentTemplate.Id) {
				t.Errorf("id = %s, want %s", got.ID, aws.ToString(out.ExperimentTemplate.Id))
			}
		})
	}
}
