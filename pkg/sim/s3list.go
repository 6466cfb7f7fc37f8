package sim

import (
	"slices"
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
