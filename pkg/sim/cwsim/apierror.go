package cwsim

import (
	"net/http"

	"github.com/gameday-dev/gameday/pkg/sim/wire"
)

// CloudWatch's errors carry the Smithy shape the CBOR and JSON clients
// deserialize, the awsQuery code (which those clients also read from the
// x-amzn-query-error header, CloudWatch being awsQueryCompatible) and the
// HTTP status, all as the service model declares them.

const typePrefix = "com.amazonaws.cloudwatch#"

// The protocols CloudWatch speaks.
var (
	cborProto  = wire.CBOR{TypePrefix: typePrefix, QueryCompatible: true}
	jsonProto  = wire.JSON{Version: "1.0", TypePrefix: typePrefix, QueryCompatible: true}
	queryProto = wire.Query{XMLNS: xmlns}
)

func cwError(shape, code string, status int, msg string) *wire.Error {
	return &wire.Error{Shape: shape, Code: code, Status: status, Message: msg}
}

// upper is e for a shape whose message member is "Message", not "message".
func upper(e *wire.Error) *wire.Error {
	e.Extra = map[string]any{"Message": e.Message}
	return e
}

func errInvalidValue(msg string) *wire.Error {
	return cwError("InvalidParameterValueException", "InvalidParameterValue", http.StatusBadRequest, msg)
}

func errCombination(msg string) *wire.Error {
	return cwError("InvalidParameterCombinationException", "InvalidParameterCombination", http.StatusBadRequest, msg)
}

func errMissing(param string) *wire.Error {
	return cwError("MissingRequiredParameterException", "MissingParameter", http.StatusBadRequest,
		"The parameter "+param+" is required.")
}

func errNotFound(msg string) *wire.Error {
	return cwError("ResourceNotFound", "ResourceNotFound", http.StatusNotFound, msg)
}

func errResourceNotFound(msg string) *wire.Error {
	return upper(cwError("ResourceNotFoundException", "ResourceNotFoundException", http.StatusNotFound, msg))
}

func errNextToken() *wire.Error {
	return cwError("InvalidNextToken", "InvalidNextToken", http.StatusBadRequest, "The service cannot process the NextToken.")
}

func errFormat(msg string) *wire.Error {
	return cwError("InvalidFormatFault", "InvalidFormat", http.StatusBadRequest, msg)
}

func errLimit(msg string) *wire.Error {
	return cwError("LimitExceededFault", "LimitExceeded", http.StatusBadRequest, msg)
}

func errValidation(msg string) *wire.Error {
	return cwError("ValidationException", "ValidationError", http.StatusBadRequest, msg)
}

func errUnknownOperation(status int, msg string) *wire.Error {
	return cwError("UnknownOperationException", "UnknownOperationException", status, msg)
}

func errSerialization(msg string) *wire.Error {
	return cwError("SerializationException", "SerializationException", http.StatusBadRequest, msg)
}

// asAPIError is err as CloudWatch returns it: an internal fault unless it
// is already an API error.
func asAPIError(err error) *wire.Error {
	e := wire.As(err, "InternalServiceError")
	if e.Shape == "" && e.Code == "InternalServiceError" {
		e.Shape = "InternalServiceFault"
		upper(e)
	}
	return e
}
