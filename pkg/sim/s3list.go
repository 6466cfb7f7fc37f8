package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// s3Listing is the S3 backend with its listings rolled up and paged as S3
// does it, which gofakes3 does not: its in-memory backend pages by keys,
// not by entries, so a common prefix whose keys straddle a page comes back
// again on the next page, and a last page can come empty; its file backend
// does not page at all. The S3 API reference, ListObjectsV2: a common prefix
// is the prefix up to the first delimiter after it, and "All of the keys
// (up to 1,000) that share the same prefix are grouped together. When
// counting the total numbers of returns by this API operation, this group
// of keys is considered as one item"; MaxKeys "Sets the maximum number of
// keys returned in the response"; a listing resumes after its continuation
// token or StartAfter key
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
// Checked against moto by TestS3ListingAgainstMoto.
type s3Listing struct{ gofakes3.Backend }

// s3ListingVersioned keeps the in-memory backend's versioning, which
// gofakes3 finds by a type assertion.
type s3ListingVersioned struct {
	s3Listing
	gofakes3.VersionedBackend
}

var _ gofakes3.VersionedBackend = s3ListingVersioned{}

// ListBucket lists every key under the prefix from the backend, then rolls
// it up by the delimiter and pages it: page.Marker is the continuation
// token's key (gofakes3 encodes NextMarker in it) or StartAfter, and
// page.MaxKeys the query's max-keys (gofakes3 gives 1,000 when none is
// asked for, and caps it there).
func (b s3Listing) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	var p gofakes3.Prefix
	if prefix != nil {
		p = *prefix
	}
	all, err := b.Backend.ListBucket(name, &gofakes3.Prefix{Prefix: p.Prefix, HasPrefix: p.Prefix != ""}, gofakes3.ListBucketPage{})
	if err != nil {
		return nil, err
	}
	contents := slices.Clone(all.Contents)
	slices.SortFunc(contents, func(a, b *gofakes3.Content) int { return strings.Compare(a.Key, b.Key) })
	// commonPrefix is the key's common prefix, or "" when it has none.
	commonPrefix := func(key string) string {
		if p.Delimiter == "" {
			return ""
		}
		rest := strings.TrimPrefix(key, p.Prefix)
		if i := strings.Index(rest, p.Delimiter); i >= 0 {
			return p.Prefix + rest[:i+len(p.Delimiter)]
		}
		return ""
	}
	out := gofakes3.NewObjectList()
	if page.MaxKeys == 0 { // max-keys=0 asks for no key (moto: not truncated either)
		return out, nil
	}
	after := func(key string) bool { return !page.HasMarker || key > page.Marker }
	var n int64
	for i := 0; i < len(contents); {
		c := contents[i]
		if !strings.HasPrefix(c.Key, p.Prefix) {
			i++
			continue
		}
		cp, last := commonPrefix(c.Key), c.Key
		j := i + 1
		if cp != "" { // its keys are together in key order: one entry
			for j < len(contents) && strings.HasPrefix(contents[j].Key, cp) {
				j++
			}
			last = contents[j-1].Key
		}
		if !after(last) {
			i = j
			continue
		}
		if n == page.MaxKeys {
			out.IsTruncated = true
			break
		}
		if cp != "" {
			out.AddPrefix(cp)
		} else {
			out.Add(c)
		}
		out.NextMarker = last // the next page resumes after every key of this entry
		n++
		i = j
	}
	if !out.IsTruncated {
		out.NextMarker = ""
	}
	return out, nil
}

// tokenMark begins, inside gofakes3's base64, every continuation token the
// simulator gives. S3's tokens are opaque ("NextContinuationToken is
// obfuscated and is not a real key", ListObjectsV2), and S3 answers a token
// it did not give with 400 InvalidArgument, "The continuation token
// provided is incorrect"; gofakes3's tokens are the base64 of a key, and it
// lists on from whatever key a made-up token decodes to.
const tokenMark = "gameday-sim-token/"

var (
	nextTokenXML = regexp.MustCompile(`<NextContinuationToken>([^<]*)</NextContinuationToken>`)
	tokenXML     = regexp.MustCompile(`<ContinuationToken>[^<]*</ContinuationToken>`)
)

// serveListingV2 serves a ListObjectsV2 request (GET with list-type=2)
// through next (gofakes3) with S3's opaque continuation tokens: it refuses a
// token the simulator did not give, hands gofakes3 the token it knows, and
// marks the next token of the answer. It reports false, serving nothing,
// for any other request.
func serveListingV2(next http.Handler, w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	if r.Method != http.MethodGet || q.Get("list-type") != "2" {
		return false
	}
	given, hasToken := q["continuation-token"]
	if hasToken {
		dec, err := base64.URLEncoding.DecodeString(q.Get("continuation-token"))
		key, ours := strings.CutPrefix(string(dec), tokenMark)
		if err != nil || !ours {
			s3Error(w, http.StatusBadRequest, "InvalidArgument", "The continuation token provided is incorrect")
			return true
		}
		q.Set("continuation-token", base64.URLEncoding.EncodeToString([]byte(key)))
		r.URL.RawQuery = q.Encode()
	}
	rec := &bufferedResponse{header: http.Header{}, code: http.StatusOK}
	next.ServeHTTP(rec, r)
	body := rec.body.Bytes()
	if rec.code == http.StatusOK {
		body = nextTokenXML.ReplaceAllFunc(body, func(m []byte) []byte {
			dec, err := base64.URLEncoding.DecodeString(string(nextTokenXML.FindSubmatch(m)[1]))
			if err != nil {
				return m
			}
			return []byte("<NextContinuationToken>" + base64.URLEncoding.EncodeToString(append([]byte(tokenMark), dec...)) + "</NextContinuationToken>")
		})
		// S3 always gives KeyCount; gofakes3 leaves it out when it is 0
		// (its XML field is omitempty).
		if !bytes.Contains(body, []byte("<KeyCount>")) {
			body = bytes.Replace(body, []byte("</ListBucketResult>"), []byte("<KeyCount>0</KeyCount></ListBucketResult>"), 1)
		}
		if hasToken { // the token as the client gave it, not as gofakes3 got it
			var esc bytes.Buffer
			_ = xml.EscapeText(&esc, []byte(given[0]))
			body = tokenXML.ReplaceAll(body, []byte("<ContinuationToken>"+strings.ReplaceAll(esc.String(), "$", "$$")+"</ContinuationToken>"))
		}
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.code)
	_, _ = w.Write(body)
	return true
}

// bufferedResponse keeps an answer to rewrite it.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(code int)        { b.code = code }
