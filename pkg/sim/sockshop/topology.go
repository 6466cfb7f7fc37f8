package sockshop

import (
	"fmt"
	"hash/fnv"
	"sort"
)

// serviceDef is one Sock Shop deployment: its pods, how long its own work
// takes, how much load it gets and whom it calls.
type serviceDef struct {
	name     string
	tier     string  // label "tier": frontend, backend, database, queue
	lang     string  // what restarts slowly (java) or quickly
	pods     int     // replicas
	port     int     // container port (HTTP services); 0 for non-HTTP stores
	median   float64 // own processing time, ms (log-normal median)
	sigma    float64 // log-normal shape of own processing time
	baseErr  float64 // own error probability per request
	external float64 // requests per second arriving from outside (load generator)
	respKB   float64 // mean response size, for bandwidth faults
	memMi    float64 // memory limit, Mi
	ioOps    float64 // disk operations per request (databases do several)
	clockErr float64 // error probability a clock skew of minutes causes (token and session checks)
	restart  float64 // seconds from kill to ready again
	deps     []edge
	routes   []route
}

// edge is a call from a service to a dependency: calls per request (the
// fractional part is a probability) and the share of failed calls that fail
// the caller's request too.
type edge struct {
	to    string
	calls float64
	share float64
}

// route is one kind of HTTP request a service serves.
type route struct {
	method, path string
	weight       float64
}

// services is the Sock Shop of microservices-demo, with baselines in the
// range a small EKS deployment shows (front-end p99 ~ 150-250 ms, carts p99
// ~ 20-40 ms, databases a few ms).
var services = []serviceDef{
	{name: "front-end", tier: "frontend", lang: "node", pods: 2, port: 8079, median: 40, sigma: 0.65, baseErr: 0.001, external: 40, respKB: 40, memMi: 1000, ioOps: 0.05, clockErr: 0.01, restart: 20,
		deps:   []edge{{"session-db", 1, 0.9}, {"catalogue", 0.55, 1}, {"carts", 0.35, 0.9}, {"user", 0.25, 0.6}, {"orders", 0.05, 1}},
		routes: []route{{"GET", "/", 0.15}, {"GET", "/index.html", 0.1}, {"GET", "/catalogue", 0.3}, {"GET", "/catalogue/size", 0.05}, {"GET", "/cart", 0.15}, {"POST", "/cart", 0.1}, {"GET", "/login", 0.05}, {"GET", "/customers/1", 0.05}, {"POST", "/orders", 0.05}}},
	{name: "catalogue", tier: "backend", lang: "go", pods: 2, port: 80, median: 3, sigma: 0.4, baseErr: 0.0005, respKB: 8, memMi: 200, ioOps: 0.05, restart: 15,
		deps:   []edge{{"catalogue-db", 1, 1}},
		routes: []route{{"GET", "/catalogue", 0.6}, {"GET", "/catalogue/size", 0.15}, {"GET", "/tags", 0.1}, {"GET", "/catalogue/3395a43e-2d88-40de-b95f-e00e1502085b", 0.15}}},
	{name: "catalogue-db", tier: "database", lang: "mysql", pods: 1, median: 2, sigma: 0.5, baseErr: 0.0001, respKB: 6, memMi: 1024, ioOps: 2, restart: 30},
	{name: "carts", tier: "backend", lang: "java", pods: 3, port: 80, median: 10, sigma: 0.4, baseErr: 0.001, respKB: 2, memMi: 500, ioOps: 0.05, restart: 35,
		deps:   []edge{{"carts-db", 1.2, 1}},
		routes: []route{{"GET", "/carts/57a98d98e4b00679b4a830b2/items", 0.55}, {"POST", "/carts/57a98d98e4b00679b4a830b2/items", 0.3}, {"DELETE", "/carts/57a98d98e4b00679b4a830b2", 0.05}, {"GET", "/carts/57a98d98e4b00679b4a830b2/merge", 0.1}}},
	{name: "carts-db", tier: "database", lang: "mongo", pods: 1, median: 2.5, sigma: 0.5, baseErr: 0.0001, respKB: 1.5, memMi: 1024, ioOps: 2, restart: 30},
	{name: "orders", tier: "backend", lang: "java", pods: 2, port: 80, median: 25, sigma: 0.35, baseErr: 0.001, respKB: 3, memMi: 500, ioOps: 0.05, clockErr: 0.005, restart: 40,
		deps:   []edge{{"user", 2, 1}, {"carts", 1, 1}, {"payment", 1, 1}, {"shipping", 1, 1}, {"orders-db", 2, 1}},
		routes: []route{{"POST", "/orders", 0.6}, {"GET", "/orders/search/customerId", 0.4}}},
	{name: "orders-db", tier: "database", lang: "mongo", pods: 1, median: 2.5, sigma: 0.5, baseErr: 0.0001, respKB: 1.5, memMi: 1024, ioOps: 2, restart: 30},
	{name: "payment", tier: "backend", lang: "go", pods: 1, port: 80, median: 1.5, sigma: 0.3, baseErr: 0.0005, respKB: 0.3, memMi: 200, ioOps: 0.02, restart: 10,
		routes: []route{{"POST", "/paymentAuth", 1}}},
	{name: "shipping", tier: "backend", lang: "java", pods: 1, port: 80, median: 6, sigma: 0.4, baseErr: 0.001, respKB: 0.5, memMi: 500, ioOps: 0.05, restart: 35,
		deps:   []edge{{"rabbitmq", 1, 1}},
		routes: []route{{"POST", "/shipping", 1}}},
	{name: "user", tier: "backend", lang: "go", pods: 2, port: 80, median: 3, sigma: 0.4, baseErr: 0.0005, respKB: 1.5, memMi: 200, ioOps: 0.05, clockErr: 0.03, restart: 15,
		deps:   []edge{{"user-db", 1, 1}},
		routes: []route{{"GET", "/login", 0.3}, {"GET", "/customers/57a98d98e4b00679b4a830af", 0.3}, {"GET", "/addresses/57a98d98e4b00679b4a830ad", 0.2}, {"GET", "/cards/57a98d98e4b00679b4a830ae", 0.2}}},
	{name: "user-db", tier: "database", lang: "mongo", pods: 1, median: 2.5, sigma: 0.5, baseErr: 0.0001, respKB: 1, memMi: 1024, ioOps: 2, restart: 30},
	{name: "queue-master", tier: "backend", lang: "java", pods: 1, port: 80, median: 5, sigma: 0.4, baseErr: 0.001, external: 2, respKB: 0.5, memMi: 500, ioOps: 0.05, restart: 35,
		deps:   []edge{{"rabbitmq", 1, 1}},
		routes: []route{{"GET", "/health", 1}}},
	{name: "rabbitmq", tier: "queue", lang: "erlang", pods: 1, median: 1, sigma: 0.4, baseErr: 0.0001, respKB: 0.5, memMi: 512, ioOps: 1, restart: 25},
	{name: "session-db", tier: "database", lang: "redis", pods: 1, median: 0.5, sigma: 0.3, baseErr: 0.0001, respKB: 0.3, memMi: 256, ioOps: 0.1, restart: 10},
}

// node is one EKS worker node.
type node struct {
	name   string
	labels map[string]string
}

var nodes = []node{
	{name: "ip-192-168-12-34.ec2.internal", labels: map[string]string{"topology.kubernetes.io/zone": "us-east-1a"}},
	{name: "ip-192-168-45-67.ec2.internal", labels: map[string]string{"topology.kubernetes.io/zone": "us-east-1b"}},
	{name: "ip-192-168-78-90.ec2.internal", labels: map[string]string{"topology.kubernetes.io/zone": "us-east-1c"}},
}

func init() {
	for i := range nodes {
		n := &nodes[i]
		n.labels["kubernetes.io/hostname"] = n.name
		n.labels["kubernetes.io/os"] = "linux"
		n.labels["node.kubernetes.io/instance-type"] = "m5.large"
		n.labels["eks.amazonaws.com/nodegroup"] = "sandbox-ng"
	}
}

// podSpec is one pod of the model, with its index in Model.pods.
type podSpec struct {
	Pod
	svc int // index in services
}

// key is namespace/name.
func (p podSpec) key() string { return p.Namespace + "/" + p.Name }

// buildPods returns the pods of every service, named as a Deployment's
// ReplicaSet names them (stable across seeds), spread over the nodes.
func buildPods(namespace string) []podSpec {
	var out []podSpec
	n := 0
	for si, s := range services {
		hash := podHash(s.name, 10)
		for i := 0; i < s.pods; i++ {
			name := fmt.Sprintf("%s-%s-%s", s.name, hash, podHash(fmt.Sprintf("%s/%d", s.name, i), 5))
			labels := map[string]string{
				"name":                      s.name,
				"pod-template-hash":         hash,
				"tier":                      s.tier,
				"app.kubernetes.io/part-of": "sock-shop",
			}
			annotations := map[string]string{
				"kubernetes.io/psp": "eks.privileged",
			}
			if s.port != 0 {
				annotations["prometheus.io/scrape"] = "true"
			}
			out = append(out, podSpec{
				Pod: Pod{
					Name:        name,
					Namespace:   namespace,
					Labels:      labels,
					Annotations: annotations,
					Service:     s.name,
					Node:        nodes[n%len(nodes)].name,
					Phase:       "Running",
					Ready:       true,
				},
				svc: si,
			})
			n++
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// podHash returns n characters of Kubernetes' "safe" alphabet, derived from s.
func podHash(s string, n int) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	h := fnv.New64a()
	h.Write([]byte(s))
	v := h.Sum64()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[v%uint64(len(alphabet))]
		v /= uint64(len(alphabet))
		if v == 0 {
			v = h.Sum64() ^ uint64(i+1)*0x9e3779b97f4a7c15
		}
	}
	return string(b)
}

func serviceIndex(name string) int {
	for i, s := range services {
		if s.name == name {
			return i
		}
	}
	return -1
}

func nodeLabels(name string) map[string]string {
	for _, n := range nodes {
		if n.name == name {
			return n.labels
		}
	}
	return nil
}

// rates returns the steady requests per second of every service: what
// arrives from outside plus what its callers send along the call graph.
func rates() []float64 {
	r := make([]float64, len(services))
	// The graph is a DAG; resolve by repeated relaxation in topological order.
	var visit func(i int) float64
	done := make([]bool, len(services))
	visit = func(i int) float64 {
		if done[i] {
			return r[i]
		}
		total := services[i].external
		for ci, c := range services {
			for _, e := range c.deps {
				if e.to == services[i].name {
					total += visit(ci) * e.calls
				}
			}
		}
		r[i], done[i] = total, true
		return total
	}
	for i := range services {
		visit(i)
	}
	return r
}
