package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Pinned logical IDs of the stateful resources: renaming a construct must
// never replace a bucket full of evidence.
const (
	LogicalIDAccessLogBucket = "GameDayAccessLogBucket"
	LogicalIDLogBucket       = "GameDayFisLogBucket"
	LogicalIDArchiveBucket   = "GameDayArchiveBucket"
)

// BucketsProps configure the buckets.
type BucketsProps struct {
	// LogPrefix is where FIS writes its logs in the log bucket ("fis-logs/").
	LogPrefix string
	// LogExpirationDays is how long raw FIS logs and access logs are kept.
	LogExpirationDays int
	// ArchiveObjectLockDays > 0 turns on S3 Object Lock in compliance mode
	// with this default retention on the archive bucket.
	ArchiveObjectLockDays int
	// ArchiveNoncurrentDays is how long overwritten archive versions are kept.
	ArchiveNoncurrentDays int
}

// Buckets are the FIS log bucket, the archive bucket and the bucket that
// receives both's server access logs.
type Buckets interface {
	LogBucket() awss3.IBucket
	ArchiveBucket() awss3.IBucket
	AccessLogBucket() awss3.IBucket
}

type buckets struct {
	constructs.Construct
	log, archive, access awss3.IBucket
}

func (b *buckets) LogBucket() awss3.IBucket       { return b.log }
func (b *buckets) ArchiveBucket() awss3.IBucket   { return b.archive }
func (b *buckets) AccessLogBucket() awss3.IBucket { return b.access }

// NewBuckets creates the three buckets: all public access blocked, TLS
// enforced, S3-managed encryption, ACLs disabled, retained on stack
// deletion, with lifecycle rules; the log and archive buckets log their
// access to the access log bucket.
func NewBuckets(scope constructs.Construct, id string, p BucketsProps) Buckets {
	c := constructs.NewConstruct(scope, jsii.String(id))
	// Grant S3 server access logging through the bucket policy, not the
	// legacy LogDeliveryWrite ACL (ACLs are disabled on every bucket).
	c.Node().SetContext(jsii.String("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"), true)
	b := &buckets{Construct: c}
	stack := awscdk.Stack_Of(c)

	b.access = newBucket(c, "AccessLogs", LogicalIDAccessLogBucket, &awss3.BucketProps{
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire-access-logs"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(p.LogExpirationDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
	})
	// cdk-nag's S1 (server access logs) finds the access log bucket
	// compliant as the destination of the others' logs: no suppression.

	b.log = newBucket(c, "FisLogs", LogicalIDLogBucket, &awss3.BucketProps{
		ServerAccessLogsBucket: b.access,
		ServerAccessLogsPrefix: jsii.String("fis-log-bucket/"),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire-fis-logs"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(p.LogExpirationDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
	})
	// FIS delivers its logs through CloudWatch Logs' vended log delivery,
	// which writes as delivery.logs.amazonaws.com, for this account only.
	delivery := awsiam.NewServicePrincipal(jsii.String("delivery.logs.amazonaws.com"), nil)
	sourceConditions := map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
		"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:logs:%s:%s:*", *stack.Partition(), *stack.Region(), *stack.Account())},
	}
	b.log.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AWSLogDeliveryWrite"),
		Principals: &[]awsiam.IPrincipal{delivery},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*b.log.ArnForObjects(jsii.String(p.LogPrefix + "AWSLogs/" + *stack.Account() + "/*"))),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{
				"aws:SourceAccount": stack.Account(),
				"s3:x-amz-acl":      "bucket-owner-full-control",
			},
			"ArnLike": sourceConditions["ArnLike"],
		},
	}))
	b.log.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AWSLogDeliveryAclCheck"),
		Principals: &[]awsiam.IPrincipal{delivery},
		Actions:    jsii.Strings("s3:GetBucketAcl", "s3:ListBucket"),
		Resources:  jsii.Strings(*b.log.BucketArn()),
		Conditions: &sourceConditions,
	}))

	archive := &awss3.BucketProps{
		ServerAccessLogsBucket: b.access,
		ServerAccessLogsPrefix: jsii.String("archive-bucket/"),
		Versioned:              jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("expire-noncurrent-versions"),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(p.ArchiveNoncurrentDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
	}
	if p.ArchiveObjectLockDays > 0 {
		archive.ObjectLockEnabled = jsii.Bool(true)
		archive.ObjectLockDefaultRetention = awss3.ObjectLockRetention_Compliance(awscdk.Duration_Days(jsii.Number(p.ArchiveObjectLockDays)))
	}
	b.archive = newBucket(c, "Archive", LogicalIDArchiveBucket, archive)
	return b
}

// newBucket creates a bucket with the settings every gameday bucket shares
// and pins its logical ID.
func newBucket(scope constructs.Construct, id, logicalID string, p *awss3.BucketProps) awss3.Bucket {
	p.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	p.Encryption = awss3.BucketEncryption_S3_MANAGED
	p.EnforceSSL = jsii.Bool(true)
	p.MinimumTLSVersion = jsii.Number(1.2)
	p.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	b := awss3.NewBucket(scope, jsii.String(id), p)
	b.Node().DefaultChild().(awss3.CfnBucket).OverrideLogicalId(jsii.String(logicalID))
	return b
}
