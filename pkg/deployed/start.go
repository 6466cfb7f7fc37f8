package deployed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/gameday-dev/gameday/pkg/gameday"
	"github.com/gameday-dev/gameday/pkg/validate"
)

// SourceManual is RunInput.Source for a run that `gameday start` started.
const SourceManual = "manual"

// MaxInputSize is Step Functions' limit on an execution's input.
const MaxInputSize = gameday.MaxPayload

// nameTime is the time format of execution names: UTC, to the second.
const nameTime = "20060102T150405Z"

// ExecutionName is the name `gameday start` gives an execution:
// <gameday>-<UTC yyyymmddThhmmssZ>, at most 63+1+16 = 80 characters, Step
// Functions' limit.
func ExecutionName(gameday string, t time.Time) string {
	return gameday + "-" + t.UTC().Format(nameTime)
}

// Started is an execution that Start started.
type Started struct {
	GameDay   string
	Name      string
	ARN       string
	StartedAt time.Time
}

// Start validates a GameDay file (every rule of `gameday validate`) and
// starts an execution of the state machine with it as a RunInput. On an
// invalid file it returns the problems (gameday.Problems in the chain) and
// starts nothing.
func (c *Client) Start(ctx context.Context, file string, data []byte) (*Started, error) {
	spec, err := validate.File(file, data)
	if err != nil {
		return nil, fmt.Errorf("validate %s: %w", file, err)
	}
	return c.StartValid(ctx, spec, data)
}

// StartValid is Start for a GameDay that validate.File already accepted:
// spec is what it returned for the file's bytes, data.
func (c *Client) StartValid(ctx context.Context, spec *gameday.Spec, data []byte) (*Started, error) {
	input, err := json.Marshal(gameday.RunInput{GameDay: spec, SpecYAML: string(data), Source: SourceManual})
	if err != nil {
		return nil, fmt.Errorf("encode run input: %w", err)
	}
	if len(input) > MaxInputSize {
		return nil, fmt.Errorf("start %s: the execution input is %d bytes, above Step Functions' %d-byte limit: make the GameDay file smaller", spec.Metadata.Name, len(input), MaxInputSize)
	}
	sm, err := c.Stack.StateMachine(ctx)
	if err != nil {
		return nil, err
	}
	at := c.serviceNow(ctx, sm)
	name := ExecutionName(spec.Metadata.Name, at)
	out, err := c.Starter.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(sm),
		Name:            aws.String(name),
		Input:           aws.String(string(input)),
	})
	if err = classify(err); errors.Is(err, gameday.ErrConflict) {
		return nil, fmt.Errorf("start execution %s: another execution has this name (started in the same second?): try again: %w", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("start execution %s: %w", name, err)
	}
	s := &Started{GameDay: spec.Metadata.Name, Name: name, ARN: aws.ToString(out.ExecutionArn), StartedAt: at.UTC()}
	if out.StartDate != nil {
		s.StartedAt = out.StartDate.UTC()
	}
	return s, nil
}

// serviceNow is the time by Step Functions' clock, the one that stamps an
// execution's start date: the Date of its answer to a ListExecutions of sm,
// to the second. An execution named from it reads like its start date on
// any endpoint: on AWS whatever the user's clock says, on `gameday sim`,
// whose clock runs apart (--speed). The name cannot come from
// StartExecution's answer: it is part of the request (left out, Step
// Functions makes a UUID). Without that answer (a failed or denied call,
// a fake that dates nothing) it is the client's clock, c.now; a call that
// failed here fails StartExecution too, which says why.
func (c *Client) serviceNow(ctx context.Context, sm string) time.Time {
	if c.Lister != nil {
		out, err := c.Lister.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(sm), MaxResults: 1})
		if err == nil {
			if t, ok := awsmiddleware.GetServerTime(out.ResultMetadata); ok {
				return t
			}
		}
	}
	return c.now()
}

// DefaultDirs are where FindGameDay looks, in order: the current
// directory first, then gamedays/ and examples/.
var DefaultDirs = []string{".", "gamedays", "examples"}

// FindGameDay returns the path of the GameDay file under dirs (searched in
// order, *.yaml and *.yml, not recursively) whose metadata.name is name.
// Files are read leniently here, only for their name: Start validates the
// one found. Two files of one directory with the name are an error.
func FindGameDay(fsys fs.FS, dirs []string, name string) (string, error) {
	for _, dir := range dirs {
		entries, err := fs.ReadDir(fsys, dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("find gameday %s: %w", name, err)
		}
		var found []string
		for _, e := range entries {
			ext := path.Ext(e.Name())
			if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
				continue
			}
			p := path.Join(dir, e.Name())
			if n, ok := fileName(fsys, p); ok && n == name {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return found[0], nil
		default:
			return "", fmt.Errorf("find gameday %s: %s all name it: give the file instead", name, strings.Join(found, ", "))
		}
	}
	return "", fmt.Errorf("find gameday %s: %w: no file under %s has metadata.name %s; give the file's path instead",
		name, gameday.ErrNotFound, dirList(dirs), name)
}

// dirList says dirs as a user reads them: "./, gamedays/ or examples/".
func dirList(dirs []string) string {
	var b strings.Builder
	for i, d := range dirs {
		switch {
		case i == 0:
		case i == len(dirs)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(strings.TrimSuffix(d, "/") + "/")
	}
	return b.String()
}

// fileName reads metadata.name of a GameDay file, if it has one, with
// gameday.ParseDocument (which refuses oversized and explosive files and
// keeps what it can decode of a file with problems).
func fileName(fsys fs.FS, p string) (string, bool) {
	info, err := fs.Stat(fsys, p)
	if err != nil || info.Size() > gameday.MaxFileSize {
		return "", false
	}
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return "", false
	}
	doc, _ := gameday.ParseDocument(p, data)
	if doc == nil || doc.Spec == nil || doc.Spec.Kind != gameday.Kind {
		return "", false
	}
	return doc.Spec.Metadata.Name, doc.Spec.Metadata.Name != ""
}
