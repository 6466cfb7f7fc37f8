package sim_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/gameday-dev/gameday/pkg/sim"
	"github.com/gameday-dev/gameday/pkg/sim/simcheck"
	"github.com/gameday-dev/gameday/pkg/sim/simtest"
)

// TestS3ListingPages lists run folders as `gameday history` does (a
// delimiter, the SDK's paginator) and FIS logs as the archive does (a
// prefix), a few entries a page, in memory and with --data. S3 counts a
// common prefix as one entry and never returns it twice: "All of the keys
// (up to 1,000) that share the same prefix are grouped together. When
// counting the total numbers of returns by this API operation, this group
// of keys is considered as one item" (S3 API reference, ListObjectsV2,
// CommonPrefixes). gofakes3 alone gave a folder again on the next page
// whenever its keys straddled one, ended with an empty page, and on disk
// ignored MaxKeys. A continuation token is opaque, and S3 answers one it
// did not give with 400 InvalidArgument, "The continuation token provided
// is incorrect" (as S3 answers; versitygw issue 993, aws-sdk-js-v3 issue
// 1636 quote it).
func TestS3ListingPages(t *testing.T) {
	keys := []string{
		"gamedays/cart/2026-01-01T00-00-00Z_a/summary.json", "gamedays/cart/2026-01-01T00-00-00Z_a/report.html",
		"gamedays/cart/2026-01-01T00-00-00Z_a/logs/x.json", "gamedays/cart/2026-01-02T00-00-00Z_b/summary.json",
		"gamedays/cart/2026-01-02T00-00-00Z_b/report.html", "gamedays/cart/top.json",
		"gamedays/cart/2026-01-03T00-00-00Z_c/summary.json",
		"AWSLogs/1/fis/r/e1/2026/01/01/a", "AWSLogs/1/fis/r/e1/2026/01/01/b", "AWSLogs/1/fis/r/e1/2026/01/01/c",
	}
	for _, dataDir := range []bool{false, true} {
		t.Run(map[bool]string{false: "memory", true: "data dir"}[dataDir], func(t *testing.T) {
			o := sim.Options{}
			if dataDir {
				o.DataDir = t.TempDir()
			}
			_, cfg := simtest.New(t, o)
			c := s3Client(cfg)
			ctx := context.Background()
			bucket := aws.String("gameday-archive")
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
					t.Fatal(err)
				}
			}
			list := func(in *s3.ListObjectsV2Input) (entries []string, pages int) {
				t.Helper()
				p := s3.NewListObjectsV2Paginator(c, in)
				for p.HasMorePages() {
					page, err := p.NextPage(ctx)
					if err != nil {
						t.Fatal(err)
					}
					pages++
					if n := len(page.Contents) + len(page.CommonPrefixes); n == 0 || int32(n) > aws.ToInt32(in.MaxKeys) {
						t.Errorf("page %d has %d entries, want 1 to %d", pages, n, aws.ToInt32(in.MaxKeys))
					}
					for _, cp := range page.CommonPrefixes {
						entries = append(entries, aws.ToString(cp.Prefix))
					}
					for _, o := range page.Contents {
						entries = append(entries, aws.ToString(o.Key))
					}
				}
				return entries, pages
			}
			folders, pages := list(&s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("gamedays/cart/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
			want := []string{"gamedays/cart/2026-01-01T00-00-00Z_a/", "gamedays/cart/2026-01-02T00-00-00Z_b/", "gamedays/cart/2026-01-03T00-00-00Z_c/", "gamedays/cart/top.json"}
			if diff := cmp.Diff(want, folders); diff != "" || pages != 4 {
				t.Errorf("folders in %d pages (-want +got):\n%s", pages, diff)
			}
			logs, pages := list(&s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("AWSLogs/"), MaxKeys: aws.Int32(2)})
			if diff := cmp.Diff(keys[7:], logs); diff != "" || pages != 2 {
				t.Errorf("logs in %d pages (-want +got):\n%s", pages, diff)
			}
			// KeyCount is always given, 0 for a listing that found nothing.
			none, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("nothing/")})
			if err != nil || none.KeyCount == nil || *none.KeyCount != 0 {
				t.Errorf("empty listing: %v, KeyCount %v, want 0", err, none.KeyCount)
			}
			// Tokens are opaque: a page's token is echoed as given, and one
			// the simulator did not give (made up, or a key in base64, which
			// is what gofakes3's own tokens are) is refused as S3 refuses it.
			first, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, MaxKeys: aws.Int32(1)})
			if err != nil || first.NextContinuationToken == nil {
				t.Fatalf("first page: %v, %+v", err, first)
			}
			second, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, MaxKeys: aws.Int32(1), ContinuationToken: first.NextContinuationToken})
			if err != nil || aws.ToString(second.ContinuationToken) != aws.ToString(first.NextContinuationToken) {
				t.Errorf("second page: %v, ContinuationToken %q, want %q", err, aws.ToString(second.ContinuationToken), aws.ToString(first.NextContinuationToken))
			}
			for _, bad := range []string{"not-a-token", base64.URLEncoding.EncodeToString([]byte(keys[0]))} {
				_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, ContinuationToken: aws.String(bad)})
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidArgument" {
					t.Errorf("token %q: %v, want InvalidArgument", bad, err)
				}
			}
		})
	}
}

// TestS3AgainstMoto runs testdata/s3_listing.py (boto3: the listings
// gameday makes, paged 1, 2, 3 and 1,000 at a time, with a delimiter, a
// partial prefix and StartAfter; GetObject, HeadObject, CopyObject and
// PutObject and their errors) against moto and against the simulator, in
// memory and on disk, and compares the answers.
func TestS3AgainstMoto(t *testing.T) {
	simcheck.Boto3(t)
	script := filepath.Join("testdata", "s3_listing.py")
	run := func(url string) map[string]any {
		var got map[string]any
		if err := json.Unmarshal(simcheck.Python(t, nil, script, url), &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	moto := run(simcheck.Moto(t))
	for _, dataDir := range []bool{false, true} {
		o := sim.Options{}
		if dataDir {
			o.DataDir = t.TempDir()
		}
		s, _ := simtest.New(t, o)
		if diff := cmp.Diff(moto, run(s.URL())); diff != "" {
			t.Errorf("data dir %v: simulator differs from moto (-moto +simulator):\n%s", dataDir, diff)
		}
	}
}
