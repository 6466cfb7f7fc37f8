// Package simtest starts gameday's simulator for a test and hands back an
// aws.Config pointed at it.
//
// Every client made from the config reaches the simulator (BaseEndpoint is
// set; credentials are static and fake; the Region is the simulator's), and
// is configured as in Lambda otherwise (awsenv.Load builds the config). S3
// clients need path-style addressing against it, since the endpoint is an IP
// address and port, not a bucket host name:
//
//	s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
package simtest

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gameday-dev/gameday/pkg/awsenv"
	"github.com/gameday-dev/gameday/pkg/sim"
)

// New starts a simulator on 127.0.0.1:0, closes it when the test ends, and
// returns it with a config for the SDK clients.
func New(t testing.TB, o sim.Options) (*sim.Server, aws.Config) {
	t.Helper()
	s, err := sim.New(o)
	if err != nil {
		t.Fatalf("new simulator: %v", err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		_ = s.Close()
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close simulator: %v", err)
		}
	})
	return s, Config(s)
}

// Config is an aws.Config for a started simulator, loaded as the Lambdas
// load theirs (awsenv.Load) from the environment Lambda would give them,
// with the simulator's region and URL and fake static credentials.
func Config(s *sim.Server) aws.Config {
	return awsenv.LoadLocal(s.Region(), s.URL())
}
