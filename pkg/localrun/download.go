package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Download copies every object under s3://bucket/prefix into dir, keeping
// the rest of each key (after prefix) as its path, and returns the files
// written.
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
			clean := path.Clean("/" + strings.TrimPrefix(key, prefix))
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

// RunFolder makes the folder a run's archive (at prefix) is downloaded
// into under out: out/prefix, or, when that exists already (a run never
// writes into another run's folder), the first free out/prefix-2, -3...,
// in which case taken names the folder that was there. Each folder is
// claimed with one Mkdir, so that two runs at once never share one.
func RunFolder(out, prefix string) (folder, taken string, err error) {
	base := filepath.Join(out, filepath.FromSlash(strings.TrimSuffix(path.Clean("/" + prefix)[1:], "/")))
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return "", "", fmt.Errorf("create %s: %w", filepath.Dir(base), err)
	}
	for n := 1; n <= 1000; n++ {
		folder = base
		if n > 1 {
			folder = fmt.Sprintf("%s-%d", base, n)
		}
		err := os.Mkdir(folder, 0o755)
		if err == nil {
			if n > 1 {
				taken = base
			}
			return folder, taken, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", "", fmt.Errorf("create %s: %w", folder, err)
		}
	}
	return "", "", fmt.Errorf("create %s: 1000 runs' folders there already", base)
}
