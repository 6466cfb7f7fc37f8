package experiment

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// maxTokenLen is FIS's limit on a clientToken.
const maxTokenLen = 64

// ClientToken derives FIS's idempotency token for one step of one execution
// from the Step Functions execution name: the same execution (and so every
// retry of the step) always gets the same token, and different executions
// get different ones. The token is at most 64 characters of [A-Za-z0-9_-]:
// a readable "<step>-<name>" when it fits, else a prefix of it and a hash
// of the whole.
func ClientToken(step, executionName string) string {
	var b strings.Builder
	b.WriteString(step)
	b.WriteByte('-')
	for _, r := range executionName {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	tok := b.String()
	// A name that had to be rewritten, or is too long, gets a hash of the
	// original so that two names cannot map to the same token.
	if len(tok) <= maxTokenLen && tok == step+"-"+executionName {
		return tok
	}
	sum := sha256.Sum256([]byte(step + "\x00" + executionName))
	h := hex.EncodeToString(sum[:])[:16]
	keep := maxTokenLen - len(h) - 1
	if len(tok) < keep {
		keep = len(tok)
	}
	return tok[:keep] + "-" + h
}
