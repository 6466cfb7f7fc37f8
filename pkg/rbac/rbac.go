// Package rbac writes the least-privilege Kubernetes RBAC that the FIS
// experiment role needs to run a GameDay's custom-resource faults: one
// namespaced Role and RoleBinding per namespace where the CRs are created,
// granting the role's Kubernetes group only the verbs FIS uses (get, create,
// delete) on only the chaos resources the file uses. No ClusterRole. The
// EKS access entry that maps the IAM role to that group comes first, as
// comments with the commands to run.
package rbac

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
)

// DefaultGroup is the Kubernetes group the FIS role is mapped to.
const DefaultGroup = "gameday-fis"

// Verbs are what aws:eks:inject-kubernetes-custom-resource does with the
// custom resource: create it, read it (its status tells FIS whether the
// fault was injected), and delete it at the end or when the experiment stops.
var Verbs = []string{"get", "create", "delete"}

// Options say who gets the access. Empty fields take defaults.
type Options struct {
	// Group is the Kubernetes group of the FIS role's access entry;
	// default DefaultGroup.
	Group string
	// RoleARN is the FIS experiment role, for the access entry commands;
	// by default the commands read it from the deployed stack's FisRoleArn
	// output (deploy.OutputFISRoleARN) of stack deploy.DefaultStackName.
	RoleARN string
}

// resourceRef is one Kubernetes resource in its API group.
type resourceRef struct{ group, resource string }

// Generate writes the RBAC for s: comments with the EKS access entry
// commands, then a Role and a RoleBinding per namespace, as YAML documents.
func Generate(s *gameday.Spec, o Options) ([]byte, error) {
	if s == nil {
		return nil, errors.New("generate rbac: no gameday")
	}
	if o.Group == "" {
		o.Group = DefaultGroup
	}
	if err := CheckGroup(o.Group); err != nil {
		return nil, fmt.Errorf("generate rbac: %w", err)
	}
	// namespace -> resources used there
	byNS := map[string]map[resourceRef]bool{}
	var errs []error
	for _, f := range s.Spec.Faults {
		cr := resourceOfFault(&f)
		if cr == nil {
			continue
		}
		ref, err := resourceOf(cr)
		if err != nil {
			errs = append(errs, fmt.Errorf("fault %s: %w", f.Name, err))
			continue
		}
		ns := cr.Namespace()
		if byNS[ns] == nil {
			byNS[ns] = map[resourceRef]bool{}
		}
		byNS[ns][ref] = true
	}
	if len(byNS) > 0 && s.Spec.Target.Cluster == "" && s.Spec.Target.ClusterName == "" {
		errs = append(errs, errors.New("spec.target sets neither cluster nor clusterName: the access entry needs the cluster"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("generate rbac for %s: %w", s.Metadata.Name, err)
	}

	var buf bytes.Buffer
	writeHeader(&buf, s, o, slices.Sorted(maps.Keys(byNS)))
	writeFilterNamespace(&buf, selectedNamespaces(s))
	name := "gameday-" + s.Metadata.Name
	labels := map[string]string{
		"app.kubernetes.io/managed-by": "gameday",
		"app.kubernetes.io/instance":   s.Metadata.Name,
	}
	for _, ns := range slices.Sorted(maps.Keys(byNS)) {
		meta := metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels}
		role := rbacv1.Role{TypeMeta: typeMeta(roleKind), ObjectMeta: meta, Rules: rules(byNS[ns])}
		binding := rbacv1.RoleBinding{
			TypeMeta:   typeMeta("RoleBinding"),
			ObjectMeta: meta,
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: o.Group}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: roleKind, Name: name},
		}
		for _, obj := range []any{role, binding} {
			b, err := yaml.Marshal(obj)
			if err != nil {
				return nil, fmt.Errorf("encode rbac: %w", err)
			}
			buf.WriteString("---\n")
			buf.Write(b)
		}
	}
	return buf.Bytes(), nil
}

// resourceOfFault is the custom resource FIS creates for a fault: its
// chaosMesh: or litmus: CR, or the one a raw inject action's parameters
// describe; nil for any other fault.
func resourceOfFault(f *gameday.Fault) *gameday.CustomResource {
	if cr := f.Resource(); cr != nil {
		return cr
	}
	if inj, err := f.Injected(); inj != nil && err == nil {
		return inj.Resource()
	}
	return nil
}

// selectedNamespaces are the namespaces the file's Chaos Mesh CRs pick pods
// in (gameday's EachPodSelector; a selector naming none picks in the CR's).
func selectedNamespaces(s *gameday.Spec) []string {
	set := map[string]bool{}
	for _, f := range s.Spec.Faults {
		cr := resourceOfFault(&f)
		if cr == nil || cr.APIVersion != gameday.ChaosMeshAPIVersion {
			continue
		}
		cr.EachPodSelector(func(_ string, ps map[string]any) {
			sel, _ := ps["selector"].(map[string]any)
			names, _ := sel["namespaces"].([]any)
			pods, _ := sel["pods"].(map[string]any)
			for _, n := range names {
				set[fmt.Sprint(n)] = true
			}
			for n := range pods {
				set[n] = true
			}
			if len(names) == 0 && len(pods) == 0 {
				set[cr.Namespace()] = true
			}
		})
	}
	return slices.Sorted(maps.Keys(set))
}

// writeFilterNamespace tells how to make the cluster, too, refuse chaos in
// other namespaces: the Roles bound where FIS creates the CRs, not where
// Chaos Mesh's controller then picks pods. Chaos Mesh's FilterNamespace
// ("Configure the namespace for chaos experiments to take effect",
// chaos-mesh.org/docs/configure-enabled-namespace) limits it to annotated
// namespaces.
func writeFilterNamespace(buf *bytes.Buffer, namespaces []string) {
	if len(namespaces) == 0 {
		return
	}
	buf.WriteString("#\n# 3. These Roles bound where FIS creates the chaos resources, not where\n")
	buf.WriteString("#    Chaos Mesh picks pods: its controller acts in any namespace a selector\n")
	buf.WriteString("#    names. For the cluster to refuse the others too, run Chaos Mesh with\n")
	buf.WriteString("#    --set controllerManager.enableFilterNamespace=true and annotate only the\n")
	fmt.Fprintf(buf, "#    namespaces the deployment's policy allows (this file picks pods in %s):\n#\n", strings.Join(namespaces, ", "))
	for _, ns := range namespaces {
		fmt.Fprintf(buf, "#   kubectl annotate namespace %s chaos-mesh.org/inject=enabled\n", ns)
	}
}

// rules are one rule per API group, resources sorted.
func rules(refs map[resourceRef]bool) []rbacv1.PolicyRule {
	byGroup := map[string][]string{}
	for r := range refs {
		byGroup[r.group] = append(byGroup[r.group], r.resource)
	}
	out := make([]rbacv1.PolicyRule, 0, len(byGroup))
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		res := byGroup[g]
		sort.Strings(res)
		out = append(out, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: res, Verbs: append([]string(nil), Verbs...)})
	}
	return out
}

// resourceOf is the API group and plural resource name of a CR kind that
// FIS can inject.
func resourceOf(cr *gameday.CustomResource) (resourceRef, error) {
	group, _, ok := strings.Cut(cr.APIVersion, "/")
	if !ok || group == "" {
		return resourceRef{}, fmt.Errorf("apiVersion %q has no API group", cr.APIVersion)
	}
	switch group {
	case "chaos-mesh.org":
		// Chaos Mesh's chaos CRDs are named after the lowercase kind
		// (networkchaos.chaos-mesh.org, podchaos.chaos-mesh.org, ...);
		// Schedule's plural is schedules.
		if !slices.Contains(gameday.ChaosMeshKinds, cr.Kind) {
			return resourceRef{}, fmt.Errorf("unknown Chaos Mesh kind %q", cr.Kind)
		}
		if cr.Kind == "Schedule" {
			return resourceRef{group, "schedules"}, nil
		}
		return resourceRef{group, strings.ToLower(cr.Kind)}, nil
	case "litmuschaos.io":
		if cr.Kind != gameday.LitmusKind {
			return resourceRef{}, fmt.Errorf("litmus kind %q: FIS injects a ChaosEngine", cr.Kind)
		}
		return resourceRef{group, "chaosengines"}, nil
	}
	return resourceRef{}, fmt.Errorf("API group %q is neither chaos-mesh.org nor litmuschaos.io", group)
}

// CheckGroup refuses a Kubernetes group that EKS access entries do not take.
func CheckGroup(g string) error {
	if strings.HasPrefix(g, "system:") {
		return fmt.Errorf("group %q: EKS access entries refuse groups whose name starts with \"system:\" (pick another --group)", g)
	}
	if strings.ContainsAny(g, " \t\n") {
		return fmt.Errorf("group %q contains white space: EKS access entries take none (pick another --group)", g)
	}
	return nil
}

// writeHeader writes the comments: what this is and the access entry
// commands.
func writeHeader(buf *bytes.Buffer, s *gameday.Spec, o Options, namespaces []string) {
	cluster, region, roleARN := clusterFacts(s, o)
	fmt.Fprintf(buf, "# Kubernetes RBAC for GameDay %s, generated by `gameday rbac`.\n", s.Metadata.Name)
	if len(namespaces) == 0 {
		buf.WriteString("#\n# This GameDay creates no Kubernetes custom resource, so FIS needs no\n# Kubernetes permission for it.\n")
		return
	}
	fmt.Fprintf(buf, "# FIS (aws:eks:inject-kubernetes-custom-resource) may %s only the\n", strings.Join(Verbs, ", "))
	fmt.Fprintf(buf, "# chaos resources this file uses, only in namespace(s) %s.\n", strings.Join(namespaces, ", "))
	buf.WriteString("#\n# 1. Map the FIS experiment role to the Kubernetes group (once per cluster;\n")
	buf.WriteString("#    the cluster's authentication mode must include API):\n#\n")
	regionFlag := ""
	if region != "" {
		regionFlag = " --region " + region
	}
	if strings.HasPrefix(roleARN, "$") {
		// The stack's role, read once into ROLE for the commands below.
		fmt.Fprintf(buf, "#   ROLE=%s\n", roleARN)
		roleARN = `"$ROLE"`
	}
	fmt.Fprintf(buf, "#   aws eks create-access-entry --cluster-name %s --principal-arn %s --type STANDARD --kubernetes-groups %s%s\n", cluster, roleARN, o.Group, regionFlag)
	buf.WriteString("#\n#    If the role already has an access entry, list its groups and keep them:\n#\n")
	fmt.Fprintf(buf, "#   aws eks describe-access-entry --cluster-name %s --principal-arn %s%s\n", cluster, roleARN, regionFlag)
	fmt.Fprintf(buf, "#   aws eks update-access-entry --cluster-name %s --principal-arn %s --kubernetes-groups %s <existing groups>%s\n", cluster, roleARN, o.Group, regionFlag)
	buf.WriteString("#\n# 2. Apply the Roles and RoleBindings below:\n#\n")
	buf.WriteString("#   gameday rbac FILE | kubectl apply -f -\n")
}

// clusterFacts are the cluster name, region and role ARN for the commands,
// from the GameDay's target and the options. Without o.RoleARN, the role is
// a command reading the deployed stack's FisRoleArn output: the stack does
// not name its role, CloudFormation does.
func clusterFacts(s *gameday.Spec, o Options) (cluster, region, roleARN string) {
	cluster = s.Spec.Target.ClusterName
	if a, err := arn.Parse(s.Spec.Target.Cluster); err == nil {
		region = a.Region
		cluster = strings.TrimPrefix(a.Resource, "cluster/")
	}
	if cluster == "" {
		cluster = "<cluster>"
	}
	roleARN = o.RoleARN
	if roleARN == "" {
		regionFlag := ""
		if region != "" {
			regionFlag = " --region " + region
		}
		roleARN = fmt.Sprintf(`$(aws cloudformation describe-stacks --stack-name %s --query "Stacks[0].Outputs[?OutputKey=='%s'].OutputValue" --output text%s)`,
			deploy.DefaultStackName, deploy.OutputFISRoleARN, regionFlag)
	}
	return cluster, region, roleARN
}

// roleKind is the kind of the Role, which the RoleBinding refers to.
const roleKind = "Role"

// typeMeta is the apiVersion and kind of an rbac.authorization.k8s.io/v1
// object. The objects are Kubernetes' own types, which sigs.k8s.io/yaml
// writes with their keys sorted and their empty fields left out (metadata's
// creationTimestamp too: apimachinery tags it omitzero).
func typeMeta(kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: rbacv1.SchemeGroupVersion.String(), Kind: kind}
}
