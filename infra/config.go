package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// Config is the "gameday" context of cdk.json (or -c gameday='{...}').
type Config struct {
	// GameDaysDir is where the GameDay files are; default gamedays/, else
	// examples/. The top-level context key gamedaysDir overrides it.
	GameDaysDir string `json:"gamedaysDir,omitempty"`
	// AssetsDir holds the Lambda builds; default dist. The top-level
	// context key assetsDir overrides it.
	AssetsDir string `json:"assetsDir,omitempty"`
	// Defaults apply to every deployment.
	Defaults Settings `json:"defaults,omitzero"`
	// Deployments are the accounts and regions to deploy to, one stack
	// each. None: one stack for the CLI's current account and region.
	Deployments []Deployment `json:"deployments,omitempty"`
}

// Settings are the per-deployment knobs (see GameDayStackProps).
type Settings struct {
	NotificationEmail     string   `json:"notificationEmail,omitempty"`
	EKSClusters           []string `json:"eksClusters,omitempty"`
	KubernetesGroup       string   `json:"kubernetesGroup,omitempty"`
	LogRetentionDays      int      `json:"logRetentionDays,omitempty"`
	FISLogExpirationDays  int      `json:"fisLogExpirationDays,omitempty"`
	ArchiveObjectLockDays int      `json:"archiveObjectLockDays,omitempty"`
	ArchiveNoncurrentDays int      `json:"archiveNoncurrentDays,omitempty"`
	LogPrefix             string   `json:"logPrefix,omitempty"`
	// MaxExperimentTimeout and LogWaitLimit are durations ("12h", "15m").
	MaxExperimentTimeout string `json:"maxExperimentTimeout,omitempty"`
	LogWaitLimit         string `json:"logWaitLimit,omitempty"`
	// GameDaysDir overrides Config.GameDaysDir for one deployment.
	GameDaysDir string `json:"gamedaysDir,omitempty"`
	// Policy is the deployment's policy file (kind GameDayPolicy): what
	// its GameDays may break. Required.
	Policy string `json:"policy,omitempty"`
}

// Deployment is one account and region.
type Deployment struct {
	// StackName defaults to GameDay-<account>-<region>.
	StackName string `json:"stackName,omitempty"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Settings
}

var (
	accountRE = regexp.MustCompile(`^\d{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	stackRE   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	// clusterARNRE reads arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME.
	clusterARNRE = regexp.MustCompile(`^arn:[^:]+:eks:([^:]+):(\d{12}):cluster/`)
)

// ParseConfig reads the "gameday" context value (as the CDK returns it: a
// decoded JSON value, or a JSON string from -c).
func ParseConfig(v any) (Config, error) {
	var c Config
	if v == nil {
		return c, nil
	}
	var raw []byte
	if s, ok := v.(string); ok {
		raw = []byte(s)
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			return c, fmt.Errorf("read gameday context: %w", err)
		}
		raw = b
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("read gameday context: %w", err)
	}
	seen := map[string]bool{}
	for i, d := range c.Deployments {
		if !accountRE.MatchString(d.Account) {
			return c, fmt.Errorf("read gameday context: deployments[%d].account %q is not a 12-digit account ID", i, d.Account)
		}
		if !regionRE.MatchString(d.Region) {
			return c, fmt.Errorf("read gameday context: deployments[%d].region %q is not a region", i, d.Region)
		}
		name := d.Name()
		if !stackRE.MatchString(name) {
			return c, fmt.Errorf("read gameday context: deployments[%d].stackName %q is not a stack name", i, name)
		}
		if seen[name] {
			return c, fmt.Errorf("read gameday context: deployments[%d]: stack %s is deployed twice", i, name)
		}
		seen[name] = true
	}
	return c, nil
}

// Name is the deployment's stack name.
func (d Deployment) Name() string {
	if d.StackName != "" {
		return d.StackName
	}
	return deploy.StackName(d.Account, d.Region)
}

// merge lays o over s: every field o sets wins.
func (s Settings) merge(o Settings) Settings {
	if o.NotificationEmail != "" {
		s.NotificationEmail = o.NotificationEmail
	}
	if o.EKSClusters != nil {
		s.EKSClusters = o.EKSClusters
	}
	if o.KubernetesGroup != "" {
		s.KubernetesGroup = o.KubernetesGroup
	}
	if o.LogRetentionDays != 0 {
		s.LogRetentionDays = o.LogRetentionDays
	}
	if o.FISLogExpirationDays != 0 {
		s.FISLogExpirationDays = o.FISLogExpirationDays
	}
	if o.ArchiveObjectLockDays != 0 {
		s.ArchiveObjectLockDays = o.ArchiveObjectLockDays
	}
	if o.ArchiveNoncurrentDays != 0 {
		s.ArchiveNoncurrentDays = o.ArchiveNoncurrentDays
	}
	if o.LogPrefix != "" {
		s.LogPrefix = o.LogPrefix
	}
	if o.MaxExperimentTimeout != "" {
		s.MaxExperimentTimeout = o.MaxExperimentTimeout
	}
	if o.LogWaitLimit != "" {
		s.LogWaitLimit = o.LogWaitLimit
	}
	if o.GameDaysDir != "" {
		s.GameDaysDir = o.GameDaysDir
	}
	if o.Policy != "" {
		s.Policy = o.Policy
	}
	return s
}

// Props turns settings into stack props (without GameDays and env).
func (s Settings) Props() (GameDayStackProps, error) {
	p := GameDayStackProps{
		NotificationEmail:     s.NotificationEmail,
		EKSClusters:           s.EKSClusters,
		KubernetesGroup:       s.KubernetesGroup,
		LogRetentionDays:      s.LogRetentionDays,
		FISLogExpirationDays:  s.FISLogExpirationDays,
		ArchiveObjectLockDays: s.ArchiveObjectLockDays,
		ArchiveNoncurrentDays: s.ArchiveNoncurrentDays,
		LogPrefix:             s.LogPrefix,
	}
	for _, d := range []struct {
		name string
		s    string
		dst  *time.Duration
	}{{"maxExperimentTimeout", s.MaxExperimentTimeout, &p.MaxExperimentTimeout}, {"logWaitLimit", s.LogWaitLimit, &p.LogWaitLimit}} {
		if d.s == "" {
			continue
		}
		v, err := gameday.ParseDuration(d.s)
		if err != nil {
			return p, fmt.Errorf("read gameday context: %s: %w", d.name, err)
		}
		*d.dst = v.Duration
	}
	return p, nil
}

// ForDeployment keeps the GameDays that belong to a deployment: those whose
// target cluster ARN names its account and region, and those that name
// their cluster by name only (they run wherever they are deployed).
func ForDeployment(files []GameDayFile, account, region string) []GameDayFile {
	var out []GameDayFile
	for _, f := range files {
		arn := f.Spec.Spec.Target.Cluster
		if arn == "" || account == "" || region == "" {
			out = append(out, f)
			continue
		}
		if r, a, ok := clusterAccountRegion(arn); ok && (r != region || a != account) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// clusterAccountRegion reads arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME.
func clusterAccountRegion(arn string) (region, account string, ok bool) {
	m := clusterARNRE.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// stackEnv is the stack environment: concrete for a deployment, else the CLI's
// current account and region when known, else environment-agnostic.
func stackEnv(account, region string) *awscdk.Environment {
	if account == "" && region == "" {
		return nil
	}
	e := &awscdk.Environment{}
	if account != "" {
		e.Account = jsii.String(account)
	}
	if region != "" {
		e.Region = jsii.String(region)
	}
	return e
}
