package cwsim

import (
	"bytes"
	"net/http"

	"github.com/aws/smithy-go/encoding/cbor"
)

// apiError is a CloudWatch error: the Smithy shape the CBOR client
// deserializes, the awsQuery code (which the CBOR client also reads from the
// x-amzn-query-error header, CloudWatch being awsQueryCompatible) and the
// HTTP status, all as the service model declares them.
type apiError struct {
	shape   string // com.amazonaws.cloudwatch#<shape>
	code    string // awsQuery error code
	status  int
	message string
	upper   bool // the shape's message member is "Message", not "message"
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func (e *apiError) fault() string {
	if e.status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

func errInvalidValue(msg string) *apiError {
	return &apiError{shape: "InvalidParameterValueException", code: "InvalidParameterValue", status: 400, message: msg}
}

func errCombination(msg string) *apiError {
	return &apiError{shape: "InvalidParameterCombinationException", code: "InvalidParameterCombination", status: 400, message: msg}
}

func errMissing(param string) *apiError {
	return &apiError{shape: "MissingRequiredParameterException", code: "MissingParameter", status: 400,
		message: "The parameter " + param + " is required."}
}

func errNotFound(msg string) *apiError {
	return &apiError{shape: "ResourceNotFound", code: "ResourceNotFound", status: 404, message: msg}
}

func errResourceNotFound(msg string) *apiError {
	return &apiError{shape: "ResourceNotFoundException", code: "ResourceNotFoundException", status: 404, message: msg, upper: true}
}

func errNextToken() *apiError {
	return &apiError{shape: "InvalidNextToken", code: "InvalidNextToken", status: 400, message: "The service cannot process the NextToken."}
}

func errFormat(msg string) *apiError {
	return &apiError{shape: "InvalidFormatFault", code: "InvalidFormat", status: 400, message: msg}
}

func errLimit(msg string) *apiError {
	return &apiError{shape: "LimitExceededFault", code: "LimitExceeded", status: 400, message: msg}
}

func errValidation(msg string) *apiError {
	return &apiError{shape: "ValidationException", code: "ValidationError", status: 400, message: msg}
}

// cborError writes e as the rpcv2Cbor client expects it.
func cborError(w http.ResponseWriter, e *apiError) {
	body := obj{{"__type", "com.amazonaws.cloudwatch#" + e.shape}, {"message", e.message}}
	if e.upper {
		body = append(body, field{"Message", e.message})
	}
	h := w.Header()
	h.Set("Smithy-Protocol", "rpc-v2-cbor")
	h.Set("Content-Type", "application/cbor")
	h.Set("X-Amzn-Query-Error", e.code+";"+e.fault())
	w.WriteHeader(e.status)
	_, _ = w.Write(cbor.Encode(toCBOR(body)))
}

// queryError writes e as an awsQuery <ErrorResponse>.
func queryError(w http.ResponseWriter, e *apiError, requestID string) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<ErrorResponse xmlns="` + xmlns + `">`)
	writeXML(&b, "Error", obj{{"Type", e.fault()}, {"Code", e.code}, {"Message", e.message}})
	writeXML(&b, "RequestId", requestID)
	b.WriteString("</ErrorResponse>\n")
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.status)
	_, _ = w.Write(b.Bytes())
}
