package step

// Initialize is initialize, for the tests of package step_test (which build
// real handlers, whose packages import this one).
var Initialize = initialize
