package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
	"gopkg.in/yaml.v3"

	"github.com/gameday-dev/gameday/pkg/awserr"
	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/report"
)

// The writing half of the archive step: the FIS logs copied server-side and
// the five documents, under the run's prefix.

// write copies the logs and writes the documents of ev.
func (a *Archiver) write(ctx context.Context, st gameday.RunState, ev *evidence) (gameday.ArchiveResult, error) {
	if err := a.copyLogs(ctx, ev); err != nil {
		return gameday.ArchiveResult{}, err
	}
	files, err := documents(ctx, st, ev.run, ev.summary)
	if err != nil {
		return gameday.ArchiveResult{}, err
	}
	for _, f := range files {
		if err := a.put(ctx, ev.prefix+f.name, f.contentType, f.body); err != nil {
			return gameday.ArchiveResult{}, err
		}
	}
	s := ev.summary
	res := gameday.ArchiveResult{
		URI:           "s3://" + a.cfg.ArchiveBucket + "/" + ev.prefix,
		Bucket:        a.cfg.ArchiveBucket,
		Prefix:        ev.prefix,
		State:         ev.run.State,
		Verdict:       s.Verdict,
		LogsComplete:  ev.run.Logs.Complete,
		ExperimentID:  ev.run.ExperimentID,
		Hypothesis:    s.Hypothesis.Verdict,
		VerdictReason: s.VerdictReason,
	}
	if s.StoppedByAlarm != nil {
		res.StoppedByAlarm = *s.StoppedByAlarm
	}
	slog.InfoContext(ctx, "archived", "experimentId", res.ExperimentID, "uri", res.URI, "verdict", res.Verdict,
		"logObjects", ev.run.Logs.Objects, "logRecords", ev.run.Logs.Records, "logsComplete", res.LogsComplete)
	return res, nil
}

// copyLogs copies the log objects server-side into the archive, up to
// ioConcurrency at once. On an error it waits for the copies in flight and
// returns the first error; a re-run copies every object again (the same
// keys, the same bytes).
func (a *Archiver) copyLogs(ctx context.Context, ev *evidence) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(ioConcurrency)
	for _, o := range ev.logs {
		g.Go(func() error { return a.copyLog(ctx, ev.logBucket, o.key, ev.prefix+DirLogs+o.key) })
	}
	return g.Wait()
}

// copyLog copies one log object server-side into the archive.
func (a *Archiver) copyLog(ctx context.Context, bucket, key, dst string) error {
	src := bucket + "/" + escapeKey(key)
	_, err := a.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &a.cfg.ArchiveBucket, Key: &dst, CopySource: &src})
	if err != nil {
		return fmt.Errorf("copy log s3://%s/%s: %w", bucket, key, awserr.Classify(err))
	}
	return nil
}

// escapeKey URL-encodes a key for CopySource, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

func (a *Archiver) put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := a.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        &a.cfg.ArchiveBucket,
		Key:           &key,
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
		ContentType:   &contentType,
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", a.cfg.ArchiveBucket, key, awserr.Classify(err))
	}
	return nil
}

type file struct {
	name, contentType string
	body              []byte
}

// documents renders the archive's documents: spec.yaml (the file as
// written), template.json (the request the start step sent, as it recorded
// it), summary.json, summary.md and report.html. A run whose start step
// recorded no template (one started before it did) has no template.json.
func documents(ctx context.Context, st gameday.RunState, run report.Run, s report.Summary) ([]file, error) {
	specYAML := []byte(st.SpecYAML)
	if len(specYAML) == 0 {
		b, err := yaml.Marshal(st.GameDay)
		if err != nil {
			return nil, fmt.Errorf("encode spec.yaml: %w", err)
		}
		specYAML = b
	}
	js, err := report.JSON(s)
	if err != nil {
		return nil, err
	}
	files := []file{{FileSpec, "application/yaml", specYAML}}
	if len(st.Start.Template) > 0 {
		var tmpl bytes.Buffer
		if err := json.Indent(&tmpl, bytes.TrimSpace(st.Start.Template), "", "  "); err != nil {
			return nil, fmt.Errorf("encode template.json: %w", err)
		}
		tmpl.WriteByte('\n')
		files = append(files, file{FileTemplate, "application/json", tmpl.Bytes()})
	} else {
		slog.WarnContext(ctx, "archive without template.json", "experimentId", run.ExperimentID, "reason", "the start step recorded no template")
	}
	return append(files,
		file{FileSummary, "application/json", js},
		file{FileMarkdown, "text/markdown; charset=utf-8", report.Markdown(s)},
		file{FileReport, "text/html; charset=utf-8", report.HTML(run, s)},
	), nil
}
