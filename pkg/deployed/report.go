package deployed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/workflow"
)

// Names of the archive's documents (the contract's §3).
const (
	SummaryJSON = "summary.json"
	SummaryMD   = "summary.md"
	ReportHTML  = "report.html"
)

// ErrNoReport is in the chain when a run has no report (yet): it still
// runs, or it started no experiment.
var ErrNoReport = errors.New("no report")

// maxObject bounds what ReadObject reads into memory (summaries are small).
const maxObject = 64 << 20

// Archive is where a run's archive is.
type Archive struct {
	Bucket string
	// Prefix is gamedays/<name>/<start>_<experimentId>/.
	Prefix string
	Run    *Run
}

// URI is s3://bucket/prefix.
func (a *Archive) URI() string { return "s3://" + a.Bucket + "/" + a.Prefix }

// FindArchive finds a run's archive: the prefix the archive step wrote in
// the execution's output or history, or else, in the archive bucket,
// gamedays/<name>/ folder of the run's experiment (or whose summary names
// the execution).
func (c *Client) FindArchive(ctx context.Context, run string) (*Archive, error) {
	r, err := c.Describe(ctx, run)
	if err != nil {
		return nil, err
	}
	if a := r.Archive; a != nil {
		if a.Skipped != "" {
			return nil, fmt.Errorf("report %s: the run archived nothing (%s): %w", r.Name, a.Skipped, ErrNoReport)
		}
		if a.Prefix != "" {
			bucket := c.Stack.ArchiveBucket // a flag wins
			if bucket == "" {
				bucket = a.Bucket
			}
			if bucket == "" {
				if bucket, err = c.Stack.Bucket(ctx); err != nil {
					return nil, err
				}
			}
			return &Archive{Bucket: bucket, Prefix: ensureSlash(a.Prefix), Run: r}, nil
		}
	}
	if !r.Ended() {
		return nil, fmt.Errorf("report %s: the run is still %s (%s); its report is written when it ends: %w", r.Name, r.Status, r.Phase(), ErrNoReport)
	}
	if r.ExperimentID == "" && r.Step == workflow.StatePreflightRefused {
		return nil, fmt.Errorf("report %s: the run started no experiment (%s): %w", r.Name, failure(r), ErrNoReport)
	}
	if r.GameDay == "" {
		return nil, fmt.Errorf("report %s: the execution input names no GameDay, so its archive cannot be found", r.Name)
	}
	bucket, err := c.Stack.Bucket(ctx)
	if err != nil {
		return nil, err
	}
	prefix, err := c.searchArchive(ctx, bucket, r)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", r.Name, err)
	}
	return &Archive{Bucket: bucket, Prefix: prefix, Run: r}, nil
}

func failure(r *Run) string {
	s := r.Status
	if r.Error != "" {
		s += ": " + r.Error
	}
	if r.Cause != "" {
		s += ": " + r.Cause
	}
	return s
}

func ensureSlash(p string) string {
	if strings.HasSuffix(p, "/") {
		return p
	}
	return p + "/"
}

// searchArchive lists gamedays/<name>/ for the run's folder: the one
// ending in _<experimentId> when the experiment is known, else the folders
// started since the execution, newest first, whose summary.json names the
// execution.
func (c *Client) searchArchive(ctx context.Context, bucket string, r *Run) (string, error) {
	base := deploy.ArchiveRoot + r.GameDay + "/"
	folders, err := c.folders(ctx, bucket, base)
	if err != nil {
		return "", err
	}
	missing := fmt.Errorf("no archive of the run under s3://%s/%s: %w", bucket, base, gameday.ErrNotFound)
	if r.ExperimentID != "" {
		for _, f := range folders {
			if strings.HasSuffix(f, "_"+r.ExperimentID+"/") {
				return f, nil
			}
		}
		return "", missing
	}
	// Folders are <UTC start>_<experimentId>/: the experiment starts after
	// the execution (a minute of slack for clocks).
	var since []string
	for _, f := range folders {
		t, ok := folderStart(f)
		if ok && !t.Before(r.StartedAt.Add(-time.Minute)) && (r.StoppedAt.IsZero() || !t.After(r.StoppedAt)) {
			since = append(since, f)
		}
	}
	slices.Sort(since)
	slices.Reverse(since)
	for _, f := range since {
		b, err := c.readObject(ctx, bucket, f+SummaryJSON)
		if errors.Is(err, gameday.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("read s3://%s/%s%s: %w", bucket, f, SummaryJSON, err)
		}
		var s struct {
			ExecutionARN string `json:"executionArn"`
		}
		if json.Unmarshal(b, &s) == nil && s.ExecutionARN == r.ARN {
			return f, nil
		}
	}
	return "", missing
}

// ReadObject reads one document of the archive (SummaryMD, SummaryJSON...).
func (c *Client) ReadObject(ctx context.Context, a *Archive, name string) ([]byte, error) {
	b, err := c.readObject(ctx, a.Bucket, a.Prefix+name)
	if errors.Is(err, gameday.ErrNotFound) {
		return nil, fmt.Errorf("read %s%s: the archive has no %s (the archive step may have failed; see gameday status %s): %w", a.URI(), name, name, a.Run.Name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s%s: %w", a.URI(), name, err)
	}
	return b, nil
}

// readObject reads an object; the caller names it in its error.
func (c *Client) readObject(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := c.Objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, classify(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, maxObject+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxObject {
		return nil, fmt.Errorf("larger than %d bytes", maxObject)
	}
	return b, nil
}

// Download copies every object of the archive into dir, keys kept as paths
// (dir/gamedays/<name>/<start>_<id>/...), as `gameday run --local` lays
// out its archive, and returns the files written. A key that would leave
// dir is refused.
func (c *Client) Download(ctx context.Context, a *Archive, dir string) ([]string, error) {
	var files []string
	p := s3.NewListObjectsV2Paginator(c.Keys, &s3.ListObjectsV2Input{Bucket: aws.String(a.Bucket), Prefix: aws.String(a.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return files, fmt.Errorf("list %s: %w", a.URI(), classify(err))
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") {
				continue // a folder marker
			}
			rel, ok := localPath(key)
			if !ok {
				return files, fmt.Errorf("download s3://%s/%s: the key is not a safe local path", a.Bucket, key)
			}
			dst := filepath.Join(dir, rel)
			if err := c.download(ctx, a.Bucket, key, dst); err != nil {
				return files, err
			}
			files = append(files, dst)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("download %s: no objects: %w", a.URI(), gameday.ErrNotFound)
	}
	return files, nil
}

// localPath turns a key into a relative path that stays inside its
// directory, or reports that it cannot.
func localPath(key string) (string, bool) {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "\\") || strings.ContainsRune(key, 0) {
		return "", false
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == ".." || seg == "." {
			return "", false
		}
	}
	clean := path.Clean(key)
	if !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", false
	}
	return filepath.FromSlash(clean), true
}

func (c *Client) download(ctx context.Context, bucket, key, dst string) error {
	out, err := c.Objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("get s3://%s/%s: %w", bucket, key, classify(err))
	}
	defer out.Body.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("download s3://%s/%s: %w", bucket, key, err)
	}
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("download s3://%s/%s: %w", bucket, key, err)
	}
	if _, err := io.Copy(f, out.Body); err != nil {
		f.Close()
		return fmt.Errorf("download s3://%s/%s: %w", bucket, key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("download s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
