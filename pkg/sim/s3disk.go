package sim

import (
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/afero"
)

// maxMetaName bounds the file names of the on-disk S3 backend's metadata.
// gofakes3's s3afero names an object's metadata file after its whole key,
// '/' replaced by '_', plus '-' and a 128-bit hash of the key: a key over
// about 220 bytes (S3 allows 1024) made a name over the 255 bytes most
// file systems allow, and every PutObject or CopyObject of it failed with
// InternalError. The FIS log keys the archive copies are about 240 bytes.
const maxMetaName = 200

// shortNames is the metadata file system: a name longer than maxMetaName
// keeps its start and its last 33 bytes (the '-' and the hash of the whole
// key, which keeps names apart), so that the same key always maps to the
// same file.
type shortNames struct{ afero.Fs }

var _ afero.Fs = shortNames{}

func (shortNames) short(name string) string {
	dir, base := filepath.Split(name)
	if len(base) <= maxMetaName {
		return name
	}
	const tail = 33 // "-" and 32 hex digits
	return dir + base[:maxMetaName-tail-1] + "~" + base[len(base)-tail:]
}

func (s shortNames) Create(name string) (afero.File, error) { return s.Fs.Create(s.short(name)) }
func (s shortNames) Mkdir(name string, perm os.FileMode) error {
	return s.Fs.Mkdir(s.short(name), perm)
}
func (s shortNames) MkdirAll(name string, perm os.FileMode) error {
	return s.Fs.MkdirAll(s.short(name), perm)
}
func (s shortNames) Open(name string) (afero.File, error) { return s.Fs.Open(s.short(name)) }
func (s shortNames) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	return s.Fs.OpenFile(s.short(name), flag, perm)
}
func (s shortNames) Remove(name string) error    { return s.Fs.Remove(s.short(name)) }
func (s shortNames) RemoveAll(name string) error { return s.Fs.RemoveAll(s.short(name)) }
func (s shortNames) Rename(from, to string) error {
	return s.Fs.Rename(s.short(from), s.short(to))
}
func (s shortNames) Stat(name string) (os.FileInfo, error) { return s.Fs.Stat(s.short(name)) }
func (s shortNames) Chmod(name string, mode os.FileMode) error {
	return s.Fs.Chmod(s.short(name), mode)
}
func (s shortNames) Chown(name string, uid, gid int) error {
	return s.Fs.Chown(s.short(name), uid, gid)
}
func (s shortNames) Chtimes(name string, atime, mtime time.Time) error {
	return s.Fs.Chtimes(s.short(name), atime, mtime)
}
