package localrun

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Download copies every object under s3://bucket/prefix into dir, keeping
// the keys as paths, and returns the files written.
func Download(ctx context.Context, cfg aws.Config, bucket, prefix, dir string) ([]string, error) {
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle, o.DisableLogOutputChecksumValidationSkipped = true, true })
	var files []string
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return files, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			clean := path.Clean("/" + key)
			if strings.Contains(key, "..") || clean == "/" {
				return files, fmt.Errorf("download s3://%s/%s: unsafe key", bucket, key)
			}
			dst := filepath.Join(dir, filepath.FromSlash(clean[1:]))
			if err := get(ctx, client, bucket, key, dst); err != nil {
				return files, err
			}
			files = append(files, dst)
		}
	}
	return files, nil
}

func get(ctx context.Context, client *s3.Client, bucket, key, dst string) error {
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, err)
	}
	defer out.Body.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return fmt.Errorf("download %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("download %s: %w", key, err)
	}
	return nil
}

// Exit codes of `gameday run --local`.
const (
	ExitPassed            = 0
	ExitOrchestration     = 1
	ExitHypothesisRefuted = 3
	ExitStoppedByAlarm    = 4
	ExitExperimentFailed  = 5
)

// ExitCode maps a run's outcome to the CLI's exit code: the verdict of a
// run whose execution succeeded; 1 for an execution that failed, was
// aborted or timed out (whatever the archive says).
func ExitCode(res *Result) int {
	if res == nil || res.Status != "SUCCEEDED" || res.Archive == nil {
		return ExitOrchestration
	}
	switch res.Archive.Verdict {
	case "passed":
		return ExitPassed
	case "hypothesis-refuted":
		return ExitHypothesisRefuted
	case "stopped-by-alarm":
		return ExitStoppedByAlarm
	case "failed":
		return ExitExperimentFailed
	}
	return ExitOrchestration
}
