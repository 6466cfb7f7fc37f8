package deployed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gameday-dev/gameday/pkg/deploy"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

// ListFilter narrows `gameday list`.
type ListFilter struct {
	// GameDay, if set, lists only that GameDay's runs.
	GameDay string
	// Since, if set, lists only the runs started at or after it.
	Since time.Time
}

// Runs reads the archived runs back from the archive bucket, newest first:
// every gamedays/<name>/<start>_<id>/summary.json. It reads nothing else,
// so it sees runs FIS has long forgotten. A folder without summary.json (an
// archive step that did not finish) is left out.
func (c *Client) Runs(ctx context.Context, f ListFilter) ([]report.Past, error) {
	bucket, err := c.Stack.Bucket(ctx)
	if err != nil {
		return nil, err
	}
	// Folders, not objects: a run folder holds all its FIS logs.
	names := []string{deploy.ArchiveRoot + f.GameDay + "/"}
	if f.GameDay == "" {
		if names, err = c.folders(ctx, bucket, deploy.ArchiveRoot); err != nil {
			return nil, err
		}
	}
	var keys []string
	for _, n := range names {
		runs, err := c.folders(ctx, bucket, n)
		if err != nil {
			return nil, err
		}
		for _, folder := range runs {
			// The folder's name says when the run started: skip the
			// older ones without reading them.
			if t, ok := folderStart(folder); ok && !f.Since.IsZero() && t.Before(f.Since.Truncate(time.Second)) {
				continue
			}
			keys = append(keys, folder+SummaryJSON)
		}
	}
	out := make([]report.Past, 0, len(keys))
	for _, key := range keys {
		b, err := c.readObject(ctx, bucket, key)
		if errors.Is(err, gameday.ErrNotFound) {
			continue // an archive step that did not finish, or deleted since
		}
		if err != nil {
			return nil, fmt.Errorf("read s3://%s/%s: %w", bucket, key, err)
		}
		var s report.Summary
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, fmt.Errorf("read s3://%s/%s: not a gameday summary: %w", bucket, key, err)
		}
		folder, _ := runFolder(key)
		past := report.Past{Prefix: folder, Summary: s}
		if s.StartedAt == nil { // a summary without a start: the folder's
			if t, ok := folderStart(folder); ok {
				past.Summary.StartedAt = &t
			}
		}
		if s.GameDay == "" {
			past.Summary.GameDay = strings.Split(strings.TrimPrefix(folder, deploy.ArchiveRoot), "/")[0]
		}
		if !f.Since.IsZero() && past.Start().Before(f.Since) {
			continue
		}
		out = append(out, past)
	}
	slices.SortStableFunc(out, func(a, b report.Past) int {
		if c := b.Start().Compare(a.Start()); c != 0 {
			return c
		}
		return strings.Compare(b.Prefix, a.Prefix)
	})
	return out, nil
}

// folders lists the folders right under prefix.
func (c *Client) folders(ctx context.Context, bucket, prefix string) ([]string, error) {
	var out []string
	p := s3.NewListObjectsV2Paginator(c.Keys, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), Delimiter: aws.String("/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, classify(err))
		}
		for _, cp := range page.CommonPrefixes {
			out = append(out, aws.ToString(cp.Prefix))
		}
	}
	return out, nil
}

// runFolder is the run folder of a run's summary.json key
// (gamedays/<name>/<start>_<id>/summary.json), or false for any other key.
func runFolder(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, deploy.ArchiveRoot)
	if !ok {
		return "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[2] != SummaryJSON || !strings.Contains(parts[1], "_") {
		return "", false
	}
	return deploy.ArchiveRoot + parts[0] + "/" + parts[1] + "/", true
}

// folderStart is the start time a run folder is named with.
func folderStart(folder string) (time.Time, bool) {
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(folder, deploy.ArchiveRoot), "/"), "/")
	if len(parts) != 2 {
		return time.Time{}, false
	}
	stamp, _, _ := strings.Cut(parts[1], "_")
	t, err := time.Parse(deploy.RunFolderStamp, stamp)
	return t, err == nil
}

// ParseSince reads --since: a duration back from now ("30d", "12h", "90m")
// or a date or time (2026-01-31, 2026-01-31T12:00:00Z).
func ParseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && days >= 0 && fmt.Sprint(days) == n {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--since %q: write a duration back from now (30d, 12h) or a date (2026-01-31) or an RFC 3339 time", s)
}
