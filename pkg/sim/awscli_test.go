package sim_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gameday-dev/gameday/pkg/fisactions"
	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestAWSCLI checks the simulator from outside, with the AWS CLI v1 that the
// machine image carries: S3, STS, FIS (a whole experiment) and CloudWatch.
func TestAWSCLI(t *testing.T) {
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH; skipping the check from outside")
	}
	s, _ := simtest.New(t, sim.Options{Speed: 300})
	home := t.TempDir()
	cli := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, awsBin, append([]string{"--endpoint-url", s.URL(), "--output", "json"}, args...)...)
		cmd.Env = []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + home,
			"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_CONFIG_FILE=" + filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"),
			"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	cli("s3", "mb", "s3://fis-logs")
	if out := cli("s3", "ls"); !strings.Contains(out, "fis-logs") {
		t.Errorf("aws s3 ls: %q, want fis-logs", out)
	}
	if out := cli("sts", "get-caller-identity"); !strings.Contains(out, `"Account": "123456789012"`) {
		t.Errorf("aws sts get-caller-identity: %s", out)
	}
	if out := cli("cloudwatch", "list-metrics", "--namespace", "SockShop", "--metric-name", "ErrorRate"); !strings.Contains(out, `"front-end"`) {
		t.Errorf("aws cloudwatch list-metrics: no front-end ErrorRate in %s", out)
	}

	in := cartsDelay(s.ClusterARN(), "", "60s")
	body, err := json.Marshal(map[string]any{
		"clientToken": "cli", "description": *in.Description, "roleArn": *in.RoleArn,
		"stopConditions": []map[string]string{{"source": "none"}},
		"targets": map[string]any{"cluster": map[string]any{"resourceType": "aws:eks:cluster",
			"resourceArns": []string{s.ClusterARN()}, "selectionMode": "ALL"}},
		"actions": map[string]any{"carts-delay": map[string]any{
			"actionId": "aws:eks:inject-kubernetes-custom-resource", "parameters": in.Actions["carts-delay"].Parameters,
			"targets": map[string]string{"Cluster": "cluster"}}},
		"logConfiguration": map[string]any{"logSchemaVersion": 2, "s3Configuration": map[string]string{"bucketName": "fis-logs"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(home, "template.json")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		t.Fatal(err)
	}
	var created struct {
		ExperimentTemplate struct {
			ID string `json:"id"`
		} `json:"experimentTemplate"`
	}
	if err := json.Unmarshal([]byte(cli("fis", "create-experiment-template", "--cli-input-json", "file://"+file)), &created); err != nil {
		t.Fatal(err)
	}
	var started struct {
		Experiment struct {
			ID string `json:"id"`
		} `json:"experiment"`
	}
	if err := json.Unmarshal([]byte(cli("fis", "start-experiment", "--experiment-template-id", created.ExperimentTemplate.ID)), &started); err != nil {
		t.Fatal(err)
	}
	id := started.Experiment.ID
	// Each aws call starts a Python process: seconds on a loaded machine.
	deadline := time.Now().Add(90 * time.Second)
	var state string
	for time.Now().Before(deadline) {
		var got struct {
			Experiment struct {
				State struct{ Status string } `json:"state"`
			} `json:"experiment"`
		}
		if err := json.Unmarshal([]byte(cli("fis", "get-experiment", "--id", id)), &got); err != nil {
			t.Fatal(err)
		}
		if state = got.Experiment.State.Status; state == "completed" || state == "failed" || state == "stopped" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if state != "completed" {
		t.Fatalf("experiment %s is %s, want completed", id, state)
	}
	if out := cli("fis", "list-experiments"); !strings.Contains(out, id) {
		t.Errorf("aws fis list-experiments does not list %s", id)
	}
	var logs string
	deadline = time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if logs = cli("s3", "ls", "--recursive", "s3://fis-logs/AWSLogs/"); strings.Contains(logs, "_awsfislogs_us-east-1_"+id) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(logs, "AWSLogs/123456789012/fis/us-east-1/"+id+"/") {
		t.Errorf("aws s3 ls: no log objects for %s in\n%s", id, logs)
	}
	// The FIS guide's "List the actions" command: every action of the
	// reference, the CLI following the pages.
	listed := strings.Fields(cli("fis", "list-actions", "--query", "actions[*].[id]", "--output", "text"))
	for _, a := range fisactions.All() {
		if a.RenamedTo == "" && !slices.Contains(listed, a.ID) {
			t.Errorf("aws fis list-actions does not list %s", a.ID)
		}
	}
	var action struct {
		Action struct {
			Targets    map[string]struct{ ResourceType string }
			Parameters map[string]struct{ Required bool }
		}
	}
	if err := json.Unmarshal([]byte(cli("fis", "get-action", "--id", "aws:ec2:stop-instances")), &action); err != nil {
		t.Fatal(err)
	}
	if tg := action.Action.Targets["Instances"]; tg.ResourceType != "aws:ec2:instance" || len(action.Action.Parameters) != 2 {
		t.Errorf("aws fis get-action aws:ec2:stop-instances = %+v, want an Instances target and 2 parameters", action.Action)
	}
}
