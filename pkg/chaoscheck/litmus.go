package chaoscheck

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/gameday-dev/gameday/pkg/gameday"
)

// The spec of a Litmus ChaosEngine (litmuschaos.io/v1alpha1), after the
// Litmus API types; probes are kept loose (their schema varies by type).

// ChaosEngineSpec is a Litmus ChaosEngine's spec.
type ChaosEngineSpec struct {
	Appinfo                       ApplicationParams `json:"appinfo,omitempty"`
	Selectors                     *Selectors        `json:"selectors,omitempty"`
	AnnotationCheck               string            `json:"annotationCheck,omitempty"`
	DefaultHealthCheck            string            `json:"defaultHealthCheck,omitempty"`
	ChaosServiceAccount           string            `json:"chaosServiceAccount"`
	Components                    ComponentParams   `json:"components,omitempty"`
	Experiments                   []ExperimentList  `json:"experiments"`
	JobCleanUpPolicy              string            `json:"jobCleanUpPolicy,omitempty"`
	AuxiliaryAppInfo              string            `json:"auxiliaryAppInfo,omitempty"`
	EngineState                   string            `json:"engineState,omitempty"`
	TerminationGracePeriodSeconds int64             `json:"terminationGracePeriodSeconds,omitempty"`
}

// ApplicationParams names the application under test.
type ApplicationParams struct {
	Appns    string `json:"appns,omitempty"`
	Applabel string `json:"applabel,omitempty"`
	AppKind  string `json:"appkind,omitempty"`
}

// Selectors picks target workloads or pods (Litmus 3).
type Selectors struct {
	Workloads []Workload `json:"workloads,omitempty"`
	Pods      []Pod      `json:"pods,omitempty"`
}

// Workload is a target workload.
type Workload struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Names     string `json:"names,omitempty"`
	Labels    string `json:"labels,omitempty"`
}

// Pod is a target pod list.
type Pod struct {
	Namespace string `json:"namespace"`
	Names     string `json:"names"`
}

// ComponentParams configures the chaos runner.
type ComponentParams struct {
	Runner  RunnerInfo       `json:"runner,omitempty"`
	Sidecar []map[string]any `json:"sidecar,omitempty"`
}

// RunnerInfo configures the runner pod.
type RunnerInfo struct {
	Image            string                        `json:"image,omitempty"`
	Type             string                        `json:"type,omitempty"`
	Args             []string                      `json:"args,omitempty"`
	Command          []string                      `json:"command,omitempty"`
	ImagePullPolicy  corev1.PullPolicy             `json:"imagePullPolicy,omitempty"`
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`
	RunnerAnnotation map[string]string             `json:"runnerAnnotations,omitempty"`
	RunnerLabels     map[string]string             `json:"runnerLabels,omitempty"`
	NodeSelector     map[string]string             `json:"nodeSelector,omitempty"`
	ConfigMaps       []map[string]any              `json:"configMaps,omitempty"`
	Secrets          []map[string]any              `json:"secrets,omitempty"`
	Tolerations      []corev1.Toleration           `json:"tolerations,omitempty"`
	Resources        corev1.ResourceRequirements   `json:"resources,omitempty"`
}

// ExperimentList is one experiment of the engine.
type ExperimentList struct {
	Name string               `json:"name"`
	Spec ExperimentAttributes `json:"spec"`
}

// ExperimentAttributes overrides an experiment's settings.
type ExperimentAttributes struct {
	Rank       uint32               `json:"rank,omitempty"`
	Components ExperimentComponents `json:"components,omitempty"`
	Probe      []map[string]any     `json:"probe,omitempty"`
}

// ExperimentComponents are the experiment's env, config and pod settings.
type ExperimentComponents struct {
	ENV                        []corev1.EnvVar               `json:"env,omitempty"`
	ConfigMaps                 []map[string]any              `json:"configMaps,omitempty"`
	Secrets                    []map[string]any              `json:"secrets,omitempty"`
	ExperimentAnnotations      map[string]string             `json:"experimentAnnotations,omitempty"`
	ExperimentImage            string                        `json:"experimentImage,omitempty"`
	ExperimentImagePullSecrets []corev1.LocalObjectReference `json:"experimentImagePullSecrets,omitempty"`
	NodeSelector               map[string]string             `json:"nodeSelector,omitempty"`
	StatusCheckTimeouts        StatusCheckTimeout            `json:"statusCheckTimeouts,omitempty"`
	Resources                  corev1.ResourceRequirements   `json:"resources,omitempty"`
	Tolerations                []corev1.Toleration           `json:"tolerations,omitempty"`
}

// StatusCheckTimeout bounds the experiment's status checks.
type StatusCheckTimeout struct {
	Delay   int `json:"delay,omitempty"`
	Timeout int `json:"timeout,omitempty"`
}

var (
	appKinds      = []string{"deployment", "statefulset", "daemonset", "deploymentconfig", "rollout"}
	engineStates  = []string{"active", "stop"}
	cleanUps      = []string{"retain", "delete"}
	trueOrFalse   = []string{"true", "false"}
	secondsValued = []string{"TOTAL_CHAOS_DURATION", "CHAOS_INTERVAL", "RAMP_TIME"}
)

// Litmus checks a Litmus ChaosEngine's spec: unknown fields refused, the
// service account, the target application, experiments with names and
// env name/value pairs, TOTAL_CHAOS_DURATION a number of seconds. path is
// the CR's field path (spec.faults[0].litmus).
func Litmus(cr *gameday.CustomResource, path string) gameday.Problems {
	if len(cr.Spec) == 0 { // gameday.Check reports a missing spec
		return nil
	}
	sp := path + ".spec"
	plain, err := copyPlain(cr.Spec)
	if err != nil {
		return gameday.Problems{{Path: sp, Message: err.Error()}}
	}
	shapeProblems := gameday.PruneShape(plain, reflect.TypeFor[ChaosEngineSpec](), sp)
	ps := append(gameday.Problems{}, shapeProblems...)
	var s ChaosEngineSpec
	if err := decodeStrict(plain, &s); err != nil {
		return append(ps, gameday.Problem{Path: sp, Message: err.Error()})
	}
	add := func(p, format string, args ...any) {
		if !underAny(p, shapeProblems) {
			ps = append(ps, gameday.Problem{Path: p, Message: fmt.Sprintf(format, args...)})
		}
	}
	litmusEngine(add, sp, &s)
	litmusTarget(add, sp, &s)
	litmusExperiments(add, sp, &s)
	return ps
}

// addFunc reports a problem at a path.
type addFunc func(path, format string, args ...any)

// litmusEngine checks the engine's own settings.
func litmusEngine(add addFunc, sp string, s *ChaosEngineSpec) {
	if s.EngineState != "" && !contains(engineStates, s.EngineState) {
		add(sp+".engineState", "unknown engineState %q: use active (or leave it out)", s.EngineState)
	} else if s.EngineState == "stop" {
		add(sp+".engineState", "stop would not run the experiment: use active")
	}
	if s.ChaosServiceAccount == "" {
		add(sp+".chaosServiceAccount", "required: the service account the chaos runner uses, for example pod-delete-sa")
	}
	if s.JobCleanUpPolicy != "" && !contains(cleanUps, s.JobCleanUpPolicy) {
		add(sp+".jobCleanUpPolicy", "unknown policy %q: use retain or delete", s.JobCleanUpPolicy)
	}
	if s.AnnotationCheck != "" && !contains(trueOrFalse, s.AnnotationCheck) {
		add(sp+".annotationCheck", "must be \"true\" or \"false\"")
	}
}

// litmusTarget checks the target application: appinfo or selectors.
func litmusTarget(add addFunc, sp string, s *ChaosEngineSpec) {
	app := s.Appinfo
	hasSelectors := s.Selectors != nil && (len(s.Selectors.Workloads) > 0 || len(s.Selectors.Pods) > 0)
	switch {
	case app == (ApplicationParams{}) && !hasSelectors:
		add(sp+".appinfo", "name the target application: appinfo {appns, applabel, appkind} or selectors")
	case app != (ApplicationParams{}):
		if app.Appns == "" {
			add(sp+".appinfo.appns", "required: the application's namespace")
		}
		if app.Applabel == "" {
			add(sp+".appinfo.applabel", "required: a label of the application's pods, for example name=carts (without it every pod of the namespace is a target)")
		}
		if app.AppKind != "" && !contains(appKinds, app.AppKind) {
			add(sp+".appinfo.appkind", "unknown kind %q: use one of %s", app.AppKind, strings.Join(appKinds, ", "))
		}
	}
	if s.Selectors != nil {
		for i, w := range s.Selectors.Workloads {
			wp := fmt.Sprintf("%s.selectors.workloads[%d]", sp, i)
			if w.Namespace == "" {
				add(wp+".namespace", "required")
			}
			if w.Names == "" && w.Labels == "" {
				add(wp, "set names or labels")
			}
			if w.Kind == "" || !contains(append(appKinds, "daemonSet"), w.Kind) {
				add(wp+".kind", "use one of %s", strings.Join(appKinds, ", "))
			}
		}
		for i, p := range s.Selectors.Pods {
			pp := fmt.Sprintf("%s.selectors.pods[%d]", sp, i)
			if p.Namespace == "" {
				add(pp+".namespace", "required")
			}
			if p.Names == "" {
				add(pp+".names", "required")
			}
		}
	}
}

// litmusExperiments checks the experiments' names and env pairs.
func litmusExperiments(add addFunc, sp string, s *ChaosEngineSpec) {
	if len(s.Experiments) == 0 {
		add(sp+".experiments", "required: at least one experiment, for example {name: pod-delete}")
	}
	for i, e := range s.Experiments {
		ep := fmt.Sprintf("%s.experiments[%d]", sp, i)
		if e.Name == "" {
			add(ep+".name", "required: the ChaosExperiment's name, for example pod-delete")
		}
		seen := map[string]bool{}
		for j, env := range e.Spec.Components.ENV {
			vp := fmt.Sprintf("%s.spec.components.env[%d]", ep, j)
			switch {
			case env.Name == "":
				add(vp+".name", "required")
				continue
			case seen[env.Name]:
				add(vp+".name", "%s set twice", env.Name)
			}
			seen[env.Name] = true
			if env.ValueFrom == nil && contains(secondsValued, env.Name) {
				if n, err := strconv.Atoi(env.Value); err != nil || n < 0 {
					add(vp+".value", "%s must be a whole number of seconds, as a string: value: \"60\"", env.Name)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
