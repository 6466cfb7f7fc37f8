// Package ddbsim serves the part of Amazon DynamoDB that gameday uses (the
// run lease: PutItem, GetItem and DeleteItem with condition expressions,
// Scan) and what a test or tool needs around it (CreateTable,
// DescribeTable, DeleteTable, ListTables, UpdateTimeToLive,
// DescribeTimeToLive), in DynamoDB's awsJson1_0 protocol (POST / with
// X-Amz-Target DynamoDB_20120810.<Operation>), as the aws-sdk-go-v2
// client, boto3 and the AWS CLI speak it.
//
// Fidelity notes: errors carry DynamoDB's codes and messages
// (ConditionalCheckFailedException with the old item when
// ReturnValuesOnConditionCheckFailure is ALL_OLD, ResourceNotFoundException,
// ResourceInUseException, ValidationException for bad keys and
// expressions, unused or undefined placeholders); responses carry
// X-Amz-Crc32, which both SDKs check. Tables are ACTIVE at once (DynamoDB
// goes through CREATING), on-demand and provisioned alike, without
// throughput limits; items expire by their TTL attribute only when a reader
// looks (DynamoDB deletes them within days, and until then a reader sees
// them: code must compare the expiry itself, as gameday's lease does). Not
// served: Query, UpdateItem, batch and transaction operations, indexes,
// streams, document paths in expressions.
package ddbsim

import (
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gameday-dev/gameday/pkg/sim/simclock"
	"github.com/gameday-dev/gameday/pkg/sim/wire"
	"github.com/google/uuid"
)

// Service is the simulated DynamoDB.
type Service struct {
	clock           simclock.Clock
	account, region string

	mu     sync.Mutex
	tables map[string]*table
}

type table struct {
	name, arn, id string
	created       time.Time
	hash, rng     keyAttr
	attrDefs      []map[string]string
	billing       string
	ttlAttr       string
	items         map[string]map[string]value // by key
}

type keyAttr struct{ name, typ string }

// New returns a DynamoDB with no tables.
func New(clock simclock.Clock, account, region string) *Service {
	return &Service{clock: clock, account: account, region: region, tables: map[string]*table{}}
}

func validation(format string, args ...any) *wire.Error {
	return wire.Errorf(http.StatusBadRequest, "ValidationException", format, args...)
}

func notFound(msg string) *wire.Error {
	return wire.Errorf(http.StatusBadRequest, "ResourceNotFoundException", "%s", msg)
}

// ServeHTTP answers POST / with X-Amz-Target DynamoDB_20120810.<Operation>.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) { api.Serve(s, w, r) }

var api = wire.JSONService[*Service]{
	Name: "DynamoDB", Target: "DynamoDB_20120810",
	Proto: wire.JSON{
		Version: "1.0", TypePrefix: "com.amazonaws.dynamodb.v20120810#", CRC32: true,
		TypePrefixes: map[string]string{"ValidationException": "com.amazon.coral.validate#", "SerializationException": "com.amazon.coral.validate#"},
	},
	IDs:     wire.NewRequestIDs("dd000000"),
	MaxBody: 16 << 20,
	Ops: map[string]wire.Op[*Service]{
		"CreateTable": wire.Decode((*Service).createTable), "DescribeTable": wire.Decode((*Service).describeTable),
		"DeleteTable": wire.Decode((*Service).deleteTable), "ListTables": wire.Decode((*Service).listTables),
		"PutItem": wire.Decode((*Service).putItem), "GetItem": wire.Decode((*Service).getItem),
		"DeleteItem": wire.Decode((*Service).deleteItem), "Scan": wire.Decode((*Service).scan),
		"UpdateTimeToLive": wire.Decode((*Service).updateTTL), "DescribeTimeToLive": wire.Decode((*Service).describeTTL),
	},
}

var tableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func (s *Service) lookup(name string) (*table, *wire.Error) {
	if !tableName.MatchString(name) {
		return nil, validation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255", name)
	}
	t, ok := s.tables[name]
	if !ok {
		return nil, notFound("Requested resource not found")
	}
	return t, nil
}

// withTable runs fn on the table name, under the lock.
func (s *Service) withTable(name string, fn func(t *table) (any, *wire.Error)) (any, *wire.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, aerr := s.lookup(name)
	if aerr != nil {
		return nil, aerr
	}
	return fn(t)
}

func (s *Service) createTable(in struct {
	TableName             string
	AttributeDefinitions  []map[string]string
	KeySchema             []map[string]string
	BillingMode           string
	ProvisionedThroughput *struct {
		ReadCapacityUnits, WriteCapacityUnits int64
	}
}) (any, *wire.Error) {
	if !tableName.MatchString(in.TableName) {
		return nil, validation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 3 and 255", in.TableName)
	}
	types := map[string]string{}
	for _, d := range in.AttributeDefinitions {
		switch d["AttributeType"] {
		case "S", "N", "B":
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d["AttributeType"])
		}
		types[d["AttributeName"]] = d["AttributeType"]
	}
	t := &table{name: in.TableName, created: s.clock.Now(), attrDefs: in.AttributeDefinitions, items: map[string]map[string]value{}}
	for _, k := range in.KeySchema {
		typ, ok := types[k["AttributeName"]]
		if !ok {
			return nil, validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", k["AttributeName"], strings.Join(slices.Sorted(maps.Keys(types)), ", "))
		}
		switch k["KeyType"] {
		case "HASH":
			t.hash = keyAttr{k["AttributeName"], typ}
		case "RANGE":
			t.rng = keyAttr{k["AttributeName"], typ}
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'keySchema.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]", k["KeyType"])
		}
	}
	if t.hash.name == "" {
		return nil, validation("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null")
	}
	if len(types) != len(in.KeySchema) {
		return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	switch in.BillingMode {
	case "PAY_PER_REQUEST":
		if in.ProvisionedThroughput != nil {
			return nil, validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	case "", "PROVISIONED":
		if in.ProvisionedThroughput == nil {
			return nil, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		in.BillingMode = "PROVISIONED"
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", in.BillingMode)
	}
	t.billing = in.BillingMode
	t.arn = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.region, s.account, t.name)
	t.id = uuid.NewString()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.tables[t.name]; dup {
		return nil, wire.Errorf(http.StatusBadRequest, "ResourceInUseException", "Table already exists: %s", t.name)
	}
	s.tables[t.name] = t
	return map[string]any{"TableDescription": t.describe()}, nil
}

func (t *table) describe() map[string]any {
	keys := []map[string]string{{"AttributeName": t.hash.name, "KeyType": "HASH"}}
	if t.rng.name != "" {
		keys = append(keys, map[string]string{"AttributeName": t.rng.name, "KeyType": "RANGE"})
	}
	d := map[string]any{
		"TableName": t.name, "TableArn": t.arn, "TableId": t.id, "TableStatus": "ACTIVE",
		"KeySchema": keys, "AttributeDefinitions": t.attrDefs,
		"CreationDateTime": float64(t.created.UnixMilli()) / 1000,
		"ItemCount":        len(t.items), "TableSizeBytes": 0,
		"BillingModeSummary":    map[string]any{"BillingMode": t.billing},
		"ProvisionedThroughput": map[string]any{"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
	}
	return d
}

func (s *Service) describeTable(in struct{ TableName string }) (any, *wire.Error) {
	out, aerr := s.withTable(in.TableName, func(t *table) (any, *wire.Error) {
		return map[string]any{"Table": t.describe()}, nil
	})
	if aerr != nil && aerr.Code == "ResourceNotFoundException" {
		aerr.Message = "Requested resource not found: Table: " + in.TableName + " not found"
	}
	return out, aerr
}

func (s *Service) deleteTable(in struct{ TableName string }) (any, *wire.Error) {
	return s.withTable(in.TableName, func(t *table) (any, *wire.Error) {
		delete(s.tables, t.name)
		d := t.describe()
		d["TableStatus"] = "DELETING"
		return map[string]any{"TableDescription": d}, nil
	})
}

func (s *Service) listTables(in struct {
	ExclusiveStartTableName string
	Limit                   int
}) (any, *wire.Error) {
	if in.Limit <= 0 || in.Limit > 100 {
		in.Limit = 100
	}
	s.mu.Lock()
	names := slices.Sorted(maps.Keys(s.tables))
	s.mu.Unlock()
	out := []string{}
	for _, n := range names {
		if n > in.ExclusiveStartTableName {
			out = append(out, n)
		}
	}
	res := map[string]any{}
	if len(out) > in.Limit {
		out = out[:in.Limit]
		res["LastEvaluatedTableName"] = out[len(out)-1]
	}
	res["TableNames"] = out
	return res, nil
}

func (s *Service) updateTTL(in struct {
	TableName               string
	TimeToLiveSpecification struct {
		AttributeName string
		Enabled       *bool
	}
}) (any, *wire.Error) {
	spec := in.TimeToLiveSpecification
	if spec.AttributeName == "" || spec.Enabled == nil {
		return nil, validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null")
	}
	return s.withTable(in.TableName, func(t *table) (any, *wire.Error) {
		switch {
		case *spec.Enabled && t.ttlAttr != "":
			return nil, validation("TimeToLive is already enabled")
		case !*spec.Enabled && t.ttlAttr == "":
			return nil, validation("TimeToLive is already disabled")
		case *spec.Enabled:
			t.ttlAttr = spec.AttributeName
		default:
			t.ttlAttr = ""
		}
		return map[string]any{"TimeToLiveSpecification": map[string]any{"AttributeName": spec.AttributeName, "Enabled": *spec.Enabled}}, nil
	})
}

func (s *Service) describeTTL(in struct{ TableName string }) (any, *wire.Error) {
	return s.withTable(in.TableName, func(t *table) (any, *wire.Error) {
		d := map[string]any{"TimeToLiveStatus": "DISABLED"}
		if t.ttlAttr != "" {
			d = map[string]any{"TimeToLiveStatus": "ENABLED", "AttributeName": t.ttlAttr}
		}
		return map[string]any{"TimeToLiveDescription": d}, nil
	})
}

// keyOf checks that attrs hold the table's key (exactly, when exact: a Key
// parameter) and returns its storage key.
func (t *table) keyOf(attrs map[string]value, exact bool) (string, *wire.Error) {
	want := []keyAttr{t.hash}
	if t.rng.name != "" {
		want = append(want, t.rng)
	}
	if exact && len(attrs) != len(want) {
		return "", validation("The provided key element does not match the schema")
	}
	var parts []string
	for _, k := range want {
		v, ok := attrs[k.name]
		if !ok {
			if exact {
				return "", validation("The provided key element does not match the schema")
			}
			return "", validation("One or more parameter values were invalid: Missing the key %s in the item", k.name)
		}
		if v.typ() != k.typ {
			if exact {
				return "", validation("The provided key element does not match the schema")
			}
			return "", validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", k.name, k.typ, v.typ())
		}
		if v.scalar() == "" {
			return "", validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", k.name)
		}
		parts = append(parts, v.scalar())
	}
	return strings.Join(parts, "\x00"), nil
}

// condition is the parsed ConditionExpression (or FilterExpression) of a
// request, with its placeholders checked as DynamoDB checks them.
type exprInput struct {
	ConditionExpression       string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]value
}

func (e exprInput) parse(expr, what string) (cond, *wire.Error) {
	if expr == "" {
		if len(e.ExpressionAttributeValues) > 0 {
			return nil, validation("ExpressionAttributeValues can only be specified when using expressions: %s is null", what)
		}
		if len(e.ExpressionAttributeNames) > 0 {
			return nil, validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		return nil, nil
	}
	for k, v := range e.ExpressionAttributeValues {
		if len(v) != 1 {
			return nil, validation("ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes for key %s", k)
		}
	}
	p := &parser{usedNames: map[string]bool{}, usedValues: map[string]bool{}}
	c, err := parseCondition(expr, e.ExpressionAttributeNames, e.ExpressionAttributeValues, p)
	if err != nil {
		msg := err.Error()
		return nil, validation("Invalid %s: %s%s", what, strings.ToUpper(msg[:1]), msg[1:])
	}
	var unusedValues, unusedNames []string
	for k := range e.ExpressionAttributeValues {
		if !p.usedValues[k] {
			unusedValues = append(unusedValues, k)
		}
	}
	for k := range e.ExpressionAttributeNames {
		if !p.usedNames[k] {
			unusedNames = append(unusedNames, k)
		}
	}
	if len(unusedValues) > 0 {
		slices.Sort(unusedValues)
		return nil, validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", strings.Join(unusedValues, ", "))
	}
	if len(unusedNames) > 0 {
		slices.Sort(unusedNames)
		return nil, validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", strings.Join(unusedNames, ", "))
	}
	return c, nil
}

// check evaluates c on the current item (nil: none), failing with
// ConditionalCheckFailedException.
func check(c cond, old map[string]value, returnOld string) *wire.Error {
	if c == nil {
		return nil
	}
	item := old
	if item == nil {
		item = map[string]value{}
	}
	ok, err := c.eval(item)
	if err != nil {
		return validation("Invalid ConditionExpression: %v", err)
	}
	if ok {
		return nil
	}
	aerr := wire.Errorf(http.StatusBadRequest, "ConditionalCheckFailedException", "The conditional request failed")
	if returnOld == "ALL_OLD" && old != nil {
		aerr.Extra = map[string]any{"Item": old}
	}
	return aerr
}

func checkReturn(param, v string, allowed ...string) *wire.Error {
	if v == "" || slices.Contains(allowed, v) {
		return nil
	}
	return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]", v, param, strings.Join(allowed, ", "))
}

// writeInput is what PutItem and DeleteItem share.
type writeInput struct {
	exprInput
	TableName                           string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
}

// write is PutItem's and DeleteItem's one path: the return options
// checked, then valid (the caller's own checks), the condition parsed,
// and, under the lock, the condition judged against the item at the key
// of attrs before apply changes the table. The answer carries the old item
// when ReturnValues is ALL_OLD.
func (s *Service) write(in writeInput, attrs map[string]value, exact bool, valid func() *wire.Error, apply func(t *table, key string)) (any, *wire.Error) {
	if aerr := checkReturn("returnValues", in.ReturnValues, "NONE", "ALL_OLD"); aerr != nil {
		return nil, aerr
	}
	if aerr := checkReturn("returnValuesOnConditionCheckFailure", in.ReturnValuesOnConditionCheckFailure, "NONE", "ALL_OLD"); aerr != nil {
		return nil, aerr
	}
	if aerr := valid(); aerr != nil {
		return nil, aerr
	}
	c, aerr := in.parse(in.ConditionExpression, "ConditionExpression")
	if aerr != nil {
		return nil, aerr
	}
	return s.withTable(in.TableName, func(t *table) (any, *wire.Error) {
		key, aerr := t.keyOf(attrs, exact)
		if aerr != nil {
			return nil, aerr
		}
		old := t.items[key]
		if aerr := check(c, old, in.ReturnValuesOnConditionCheckFailure); aerr != nil {
			return nil, aerr
		}
		apply(t, key)
		out := map[string]any{}
		if in.ReturnValues == "ALL_OLD" && old != nil {
			out["Attributes"] = old
		}
		return out, nil
	})
}

func (s *Service) putItem(in struct {
	writeInput
	Item map[string]value
}) (any, *wire.Error) {
	valid := func() *wire.Error {
		for k, v := range in.Item {
			if len(v) != 1 {
				return validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes for key %s", k)
			}
		}
		return nil
	}
	return s.write(in.writeInput, in.Item, false, valid, func(t *table, key string) { t.items[key] = in.Item })
}

func (s *Service) getItem(in struct {
	TableName                string
	Key                      map[string]value
	ConsistentRead           bool
	ProjectionExpression     string
	ExpressionAttributeNames map[string]string
}) (any, *wire.Error) {
	return s.withTable(in.TableName, func(t *table) (any, *wire.Error) {
		key, aerr := t.keyOf(in.Key, true)
		if aerr != nil {
			return nil, aerr
		}
		item, ok := t.items[key]
		if !ok {
			return map[string]any{}, nil
		}
		if in.ProjectionExpression != "" {
			item = project(item, in.ProjectionExpression, in.ExpressionAttributeNames)
		}
		return map[string]any{"Item": item}, nil
	})
}

// project keeps the named top-level attributes.
func project(item map[string]value, expr string, names map[string]string) map[string]value {
	out := map[string]value{}
	for _, p := range strings.Split(expr, ",") {
		p = strings.TrimSpace(p)
		if n, ok := names[p]; ok {
			p = n
		}
		if v, ok := item[p]; ok {
			out[p] = v
		}
	}
	return out
}

func (s *Service) deleteItem(in struct {
	writeInput
	Key map[string]value
}) (any, *wire.Error) {
	none := func() *wire.Error { return nil }
	return s.write(in.writeInput, in.Key, true, none, func(t *table, key string) { delete(t.items, key) })
}

func (s *Service) scan(in struct {
	TableName                 string
	Limit                     int
	ExclusiveStartKey         map[string]value
	FilterExpression          string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]value
	ConsistentRead            bool
}) (any, *wire.Error) {
	if in.Limit < 0 {
		return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", in.Limit)
	}
	e := exprInput{ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues}
	filter, aerr := e.parse(in.FilterExpression, "FilterExpression")
	if aerr != nil {
		return nil, aerr
	}
	return s.withTable(in.TableName, func(t *table) (any, *wire.Error) {
		keys := slices.Sorted(maps.Keys(t.items))
		start := 0
		if in.ExclusiveStartKey != nil {
			k, aerr := t.keyOf(in.ExclusiveStartKey, true)
			if aerr != nil {
				return nil, validation("The provided starting key is invalid: %s", aerr.Message)
			}
			start, _ = slices.BinarySearch(keys, k)
			if start < len(keys) && keys[start] == k {
				start++
			}
		}
		items := []map[string]value{}
		scanned := 0
		var last string
		for _, k := range keys[start:] {
			if in.Limit > 0 && scanned == in.Limit {
				break
			}
			scanned++
			last = k
			item := t.items[k]
			if filter != nil {
				ok, err := filter.eval(item)
				if err != nil {
					return nil, validation("Invalid FilterExpression: %v", err)
				}
				if !ok {
					continue
				}
			}
			items = append(items, item)
		}
		out := map[string]any{"Items": items, "Count": len(items), "ScannedCount": scanned}
		if in.Limit > 0 && scanned == in.Limit && start+scanned < len(keys) {
			lk := map[string]value{t.hash.name: t.items[last][t.hash.name]}
			if t.rng.name != "" {
				lk[t.rng.name] = t.items[last][t.rng.name]
			}
			out["LastEvaluatedKey"] = lk
		}
		return out, nil
	})
}
