package preflight

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cmpIgnoreUnexported skips the SDK types' unexported noSmithyDocumentSerde.
func cmpIgnoreUnexported() cmp.Option {
	return cmpopts.IgnoreUnexported(cloudwatch.PutMetricAlarmInput{}, cwtypes.Dimension{}, cwtypes.Tag{})
}
