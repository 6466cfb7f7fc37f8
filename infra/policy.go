package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/policy"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// maxPolicyJSON bounds the policy the preflight function gets in its
// environment: Lambda allows 4 KB for all variables.
const maxPolicyJSON = 3072

// LoadPolicy reads the deployment's policy file, named by the policy
// setting; a deployment without one is refused (the account owner, not
// the GameDay files, decides what a run may break).
func LoadPolicy(path string) (*policy.Policy, error) {
	if path == "" {
		return nil, errors.New(`no policy: name the deployment's policy file (kind GameDayPolicy) in cdk.json, "policy" in gameday.defaults or in the deployment; examples/policy/sandbox.yaml is one`)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := policy.Parse(path, data)
	if err != nil {
		return nil, fmt.Errorf("invalid policy file:\n%w", err)
	}
	return p, nil
}

// CheckScheduled judges every scheduled GameDay of the deployment against
// its policy, as preflight will when the schedule fires: one
// FILE:LINE:COL: path: message (policy NAME: rule) line per violation. A
// paused schedule (enabled: false) fires nothing and is not judged here;
// should someone enable it, preflight refuses the run as it would any.
func CheckScheduled(files []GameDayFile, p *policy.Policy, where policy.Where) error {
	var errs []error
	for _, f := range files {
		s := f.Spec.Spec.Schedule
		if s == nil || (s.Enabled != nil && !*s.Enabled) {
			continue
		}
		if _, err := validate.FileUnder(f.Path, []byte(f.Text), p, where); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deployedPolicy is the policy the stack deploys: its defaults filled (the
// clusters named in eksClusters, the longest experiment a run started by
// hand may have), refused when its longest experiment does not fit the
// execution timeout or it is too large for the preflight function's
// environment.
func deployedPolicy(p *policy.Policy, clusterARNs []string, maxExperiment time.Duration, executionTimeoutSeconds int) (*policy.Policy, string, error) {
	executionTimeout := time.Duration(executionTimeoutSeconds) * time.Second
	d := p.WithDefaults(clusterARNs, maxExperiment)
	if got := d.Spec.MaxExperimentDuration.Duration; got > executionTimeout-WorkflowMargin {
		return nil, "", fmt.Errorf("%s: spec.maxExperimentDuration: %s does not fit the state machine's execution timeout of %s (the longest experiment it covers is %s, maxExperimentTimeout in cdk.json): lower it, or raise maxExperimentTimeout (policy %s: %s)",
			p.At("spec.maxExperimentDuration"), d.Spec.MaxExperimentDuration, gameday.Duration{Duration: executionTimeout},
			gameday.Duration{Duration: executionTimeout - WorkflowMargin}, p.Metadata.Name, policy.RuleMaxExperimentDuration)
	}
	js, err := d.JSON()
	if err != nil {
		return nil, "", err
	}
	if len(js) > maxPolicyJSON {
		return nil, "", fmt.Errorf("%s: the policy is %d bytes as JSON; the preflight function's environment holds at most %d: list fewer clusters or namespaces", p.At(""), len(js), maxPolicyJSON)
	}
	return d, js, nil
}

// deploymentClusterARN is the ARN of a cluster the deployment names: in its
// account and region, or any when the stack is environment-agnostic.
func deploymentClusterARN(d Deployment, name string) string {
	account, region := d.Account, d.Region
	if account == "" || region == "" {
		return "arn:*:eks:*:*:cluster/" + name
	}
	return fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", region, account, name)
}
