"""Calls, with boto3, the operations gameday makes of CloudWatch (which boto3
speaks in awsJson1_0, the Go SDK in CBOR), Step Functions, DynamoDB, SNS,
EventBridge, CloudFormation and STS against the simulator at argv[1], the
ways gameday makes them and the ways they fail, and checks every answer
against botocore's model of the service:
- a success's body against the operation's output shape: the raw body for
  the JSON and CBOR protocols (no member the shape lacks, every required
  member, every value of its type), the parsed answer for the XML ones;
- an error's code against the errors the model lists for the operation and
  the errors common to every AWS API ("Common Errors" in each API reference,
  e.g. https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html),
  its HTTP status against the error shape's.
argv[2] is the state machine ARN to start executions of.
Prints {"calls": [[case, "service operation", status, error code or ""]], "errors": [...]}."""
import json
import os
import sys
import time

import boto3
from botocore.config import Config
from botocore.parsers import RpcV2CBORParser

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fissim", "testdata"))
from botocore_shapes import check  # noqa: E402

COMMON = {"AccessDeniedException", "IncompleteSignature", "InternalFailure", "InvalidAction",
          "InvalidClientTokenId", "InvalidParameterCombination", "InvalidParameterValue",
          "InvalidQueryParameter", "MalformedQueryString", "MissingAction", "MissingAuthenticationToken",
          "MissingParameter", "NotAuthorized", "OptInRequired", "RequestExpired", "ServiceUnavailable",
          "ThrottlingException", "ValidationError"}

endpoint, machine = sys.argv[1], sys.argv[2]
calls, errors = [], []
last = {}
clients = {}


def keep(http_response, model, **kwargs):
    last.update(op=model, status=http_response.status_code, raw=http_response.content,
                headers=http_response.headers)


def client(service):
    if service not in clients:
        c = boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                         aws_access_key_id="AKIDSIM", aws_secret_access_key="secret",
                         config=Config(retries={"max_attempts": 1}))
        c.meta.events.register("after-call.*.*", keep)
        clients[service] = c
    return clients[service]


def raw_body(headers, raw):
    """The raw body of a JSON or CBOR answer, or None for XML (checked parsed)."""
    kind = headers.get("content-type", "")
    if "json" in kind:
        return json.loads(raw or b"{}")
    if "cbor" in kind:
        return RpcV2CBORParser()._initial_body_parse(raw) or {}
    return None


def call(case, service, op, **kw):
    last.clear()
    c = client(service)
    try:
        out, code = getattr(c, op)(**kw), ""
    except c.exceptions.ClientError as e:
        out, code = None, e.response["Error"]["Code"]
    om, status = last["op"], last["status"]
    calls.append([case, f"{service} {om.name}", status, code])
    where = f"{case}: {service} {om.name}"
    if not code:
        body = raw_body(last["headers"], last["raw"])
        if body is None:
            body = {k: v for k, v in out.items() if k != "ResponseMetadata"}
        if om.output_shape is not None:
            check(body, om.output_shape, where, errors)
        return out
    listed = {}
    for s in om.error_shapes:
        listed[s.name] = s
        listed[s.metadata.get("error", {}).get("code", s.name)] = s
    if code in listed:
        want = listed[code].metadata.get("error", {}).get("httpStatusCode")
        if want and want != status:
            errors.append(f"{where}: {code} with HTTP {status}, the model says {want}")
    elif code not in COMMON:
        errors.append(f"{where}: answered {code}, neither listed for it ({sorted(set(listed))}) nor a common error")
    return None


# CloudWatch: preflight's alarms, the archive's metrics and alarm history.
alarm = dict(AlarmName="gameday-ops-errors", Namespace="SockShop", MetricName="ErrorRate",
             Dimensions=[{"Name": "service", "Value": "front-end"}], Statistic="Average", Period=60,
             EvaluationPeriods=2, DatapointsToAlarm=2, Threshold=5, ComparisonOperator="GreaterThanThreshold",
             TreatMissingData="notBreaching")
call("put alarm", "cloudwatch", "put_metric_alarm", **alarm)
call("put alarm, period 7", "cloudwatch", "put_metric_alarm", **dict(alarm, AlarmName="gameday-ops-bad", Period=7))
call("put alarm, namespace 256", "cloudwatch", "put_metric_alarm", **dict(alarm, AlarmName="gameday-ops-bad", Namespace="n" * 256))
call("put alarm, metric name 256", "cloudwatch", "put_metric_alarm", **dict(alarm, AlarmName="gameday-ops-bad", MetricName="m" * 256))
call("describe alarms by name", "cloudwatch", "describe_alarms", AlarmNames=["gameday-ops-errors", "gameday-none"],
     AlarmTypes=["MetricAlarm", "CompositeAlarm"])
call("describe alarms by prefix", "cloudwatch", "describe_alarms", AlarmNamePrefix="gameday-ops")
call("describe alarms, bad token", "cloudwatch", "describe_alarms", NextToken="not-a-token")
call("describe alarms, MaxRecords 101", "cloudwatch", "describe_alarms", MaxRecords=101)
now = time.time()
call("get metric data", "cloudwatch", "get_metric_data", StartTime=now - 3600, EndTime=now, MetricDataQueries=[
    {"Id": "e", "MetricStat": {"Metric": {"Namespace": "SockShop", "MetricName": "ErrorRate",
                                          "Dimensions": [{"Name": "service", "Value": "front-end"}]},
                               "Period": 60, "Stat": "Average"}}])
call("get metric data, bad token", "cloudwatch", "get_metric_data", StartTime=now - 3600, EndTime=now,
     NextToken="not-a-token", MetricDataQueries=[{"Id": "e", "Expression": "SUM(METRICS())"}])
call("alarm history", "cloudwatch", "describe_alarm_history", AlarmName="gameday-ops-errors",
     HistoryItemType="StateUpdate", StartDate=now - 3600, EndDate=now + 60)
call("alarm history, bad token", "cloudwatch", "describe_alarm_history", NextToken="not-a-token")
call("list metrics", "cloudwatch", "list_metrics", Namespace="SockShop", MetricName="ErrorRate",
     Dimensions=[{"Name": "service", "Value": "front-end"}])

# Step Functions: gameday start, status, report.
arn = call("start execution", "stepfunctions", "start_execution", stateMachineArn=machine, name="ops-1", input="{}")["executionArn"]
call("start execution again, same input", "stepfunctions", "start_execution", stateMachineArn=machine, name="ops-1", input="{}")
call("start execution again, other input", "stepfunctions", "start_execution", stateMachineArn=machine, name="ops-1", input='{"x":1}')
call("start execution, bad name", "stepfunctions", "start_execution", stateMachineArn=machine, name="a b", input="{}")
call("start execution, bad input", "stepfunctions", "start_execution", stateMachineArn=machine, name="ops-2", input="{")
call("start execution, unknown machine", "stepfunctions", "start_execution",
     stateMachineArn=machine + "-none", name="ops-3", input="{}")
call("start second execution", "stepfunctions", "start_execution", stateMachineArn=machine, name="ops-4", input="{}")
call("describe execution", "stepfunctions", "describe_execution", executionArn=arn)
call("describe execution, unknown", "stepfunctions", "describe_execution", executionArn=arn + "-none")
call("describe execution, not an ARN", "stepfunctions", "describe_execution", executionArn="not-an-arn")
page = call("list executions by 1", "stepfunctions", "list_executions", stateMachineArn=machine, maxResults=1)
if page and page.get("nextToken"):
    call("list executions, next page", "stepfunctions", "list_executions", stateMachineArn=machine, maxResults=1,
         nextToken=page["nextToken"])
else:
    errors.append("list executions by 1: no nextToken over two executions")
call("list executions, bad token", "stepfunctions", "list_executions", stateMachineArn=machine, nextToken="not-a-token")
call("list executions, maxResults 1001", "stepfunctions", "list_executions", stateMachineArn=machine, maxResults=1001)
call("list executions, unknown machine", "stepfunctions", "list_executions", stateMachineArn=machine + "-none")
call("execution history", "stepfunctions", "get_execution_history", executionArn=arn)
call("execution history, unknown", "stepfunctions", "get_execution_history", executionArn=arn + "-none")
call("describe state machine", "stepfunctions", "describe_state_machine", stateMachineArn=machine)
call("describe state machine, unknown", "stepfunctions", "describe_state_machine", stateMachineArn=machine + "-none")

# DynamoDB: the run lease.
call("create table", "dynamodb", "create_table", TableName="gameday-ops-leases", BillingMode="PAY_PER_REQUEST",
     AttributeDefinitions=[{"AttributeName": "gameday", "AttributeType": "S"}],
     KeySchema=[{"AttributeName": "gameday", "KeyType": "HASH"}])
call("create table again", "dynamodb", "create_table", TableName="gameday-ops-leases", BillingMode="PAY_PER_REQUEST",
     AttributeDefinitions=[{"AttributeName": "gameday", "AttributeType": "S"}],
     KeySchema=[{"AttributeName": "gameday", "KeyType": "HASH"}])
call("ttl", "dynamodb", "update_time_to_live", TableName="gameday-ops-leases",
     TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"})
item = {"gameday": {"S": "cart"}, "holder": {"S": "exec-1"}}
call("take lease", "dynamodb", "put_item", TableName="gameday-ops-leases", Item=item,
     ConditionExpression="attribute_not_exists(gameday)")
call("take lease again", "dynamodb", "put_item", TableName="gameday-ops-leases", Item=item,
     ConditionExpression="attribute_not_exists(gameday)")
call("read lease", "dynamodb", "get_item", TableName="gameday-ops-leases", Key={"gameday": {"S": "cart"}}, ConsistentRead=True)
call("read lease, no table", "dynamodb", "get_item", TableName="gameday-ops-none", Key={"gameday": {"S": "cart"}})
call("scan leases", "dynamodb", "scan", TableName="gameday-ops-leases", ConsistentRead=True)
call("release lease, other holder", "dynamodb", "delete_item", TableName="gameday-ops-leases", Key={"gameday": {"S": "cart"}},
     ConditionExpression="holder = :h", ExpressionAttributeValues={":h": {"S": "exec-2"}})
call("release lease", "dynamodb", "delete_item", TableName="gameday-ops-leases", Key={"gameday": {"S": "cart"}},
     ConditionExpression="holder = :h", ExpressionAttributeValues={":h": {"S": "exec-1"}})

# SNS, EventBridge: notify; CloudFormation, STS: the CLI finding its stack.
topic = call("create topic", "sns", "create_topic", Name="gameday-ops")["TopicArn"]
call("publish", "sns", "publish", TopicArn=topic, Subject="gameday", Message="passed")
call("publish, no topic", "sns", "publish", TopicArn=topic + "-none", Message="passed")
call("put events", "events", "put_events", Entries=[{"Source": "gameday", "DetailType": "GameDay run",
                                                     "Detail": "{\"verdict\":\"passed\"}"}])
stack = call("describe stacks", "cloudformation", "describe_stacks", StackName="gameday-ops")
if stack and {o["OutputKey"] for o in stack["Stacks"][0].get("Outputs", [])} != {"StateMachineArn", "ArchiveBucket"}:
    errors.append(f"describe stacks: outputs {stack['Stacks'][0].get('Outputs')}, want the two declared")
call("describe stacks, none", "cloudformation", "describe_stacks", StackName="gameday-ops-none")
call("caller identity", "sts", "get_caller_identity")
print(json.dumps({"calls": calls, "errors": errors}))
