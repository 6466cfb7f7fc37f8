package deploy

import "time"

// The archive bucket's layout: the archive step writes each run in a run
// folder, gamedays/<name>/<UTC start>_<experimentId>/, and the CLI lists
// and finds runs there.
const (
	// ArchiveRoot is the folder of every GameDay's runs.
	ArchiveRoot = "gamedays/"
	// RunFolderStamp is the layout of a run folder's start time.
	RunFolderStamp = "2006-01-02T15-04-05Z"
)

// RunFolder is the archive prefix of a run of GameDay name whose
// experiment started at start.
func RunFolder(name string, start time.Time, experimentID string) string {
	return ArchiveRoot + name + "/" + start.UTC().Format(RunFolderStamp) + "_" + experimentID + "/"
}
