package deploy

// MaxSubject is the most characters SNS takes in a message's subject:
// "Subjects must be UTF-8 text with no line breaks or control characters,
// and less than 100 characters long" (SNS API reference, Publish). moto
// takes 100; 99 is taken under either reading.
const MaxSubject = 99

// CutSubject cuts s to what SNS takes as the subject of a message on the
// stack's topic (notify's and the sweeper's): at most MaxSubject
// characters, never split inside a UTF-8 character.
func CutSubject(s string) string {
	if r := []rune(s); len(r) > MaxSubject {
		s = string(r[:MaxSubject])
	}
	return s
}
