"""Calls, with boto3, every FIS operation gameday makes (and the safety
lever's update, which its tests use) against the endpoint in argv[1], the
way gameday makes them and the ways they fail, and checks every answer
against botocore's FIS model (botocore_shapes.py):
- a success's raw body against the operation's output shape;
- an error's code (X-Amzn-Errortype) against the errors the model lists for
  the operation, its HTTP status against the error shape's, its raw body
  against the error shape.
argv[2], if given, is JSON {operation: [error code]}: errors a variant of
the simulator plays that the model does not list (docs/fidelity.md).
Prints {"calls": [[case, operation, status, error code or ""]], "errors": [...]}."""
import json
import sys
import time

import boto3
from botocore.config import Config

from botocore_shapes import check, model

calls, errors = [], []
unlisted = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
last = {}


def keep(http_response, model, **kwargs):
    last["op"] = model.name
    last["status"] = http_response.status_code
    last["code"] = (http_response.headers.get("x-amzn-errortype") or "").split(":")[0]
    last["body"] = json.loads(http_response.content or b"{}")


client = boto3.client("fis", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id="AKIDSIM", aws_secret_access_key="secret",
                      config=Config(retries={"max_attempts": 1}))
client.meta.events.register("after-call.fis.*", keep)


def call(case, op, _constraint=False, **kw):
    """Calls op, checks the answer against the model and records it; returns
    the parsed answer, or None for an error. _constraint: the request breaks
    a length or count the model gives, which AWS's request validation answers
    with ValidationException for any operation, listed for it or not."""
    last.clear()
    try:
        out = getattr(client, op)(**kw)
    except client.exceptions.ClientError:
        out = None
    om = model.operation_model(last["op"])
    code, status, body = last["code"], last["status"], last["body"]
    calls.append([case, om.name, status, code])
    if status < 300:
        check(body, om.output_shape, f"{case}: {om.name}", errors)
        return out
    modeled = {s.name: s for s in om.error_shapes}
    if _constraint:
        modeled.setdefault("ValidationException", model.shape_for("ValidationException"))
    for extra in unlisted.get(om.name, []):
        modeled.setdefault(extra, model.shape_for(extra))
    if code not in modeled:
        errors.append(f"{case}: {om.name} answered {code}, which the model does not list for it ({sorted(modeled)})")
        return None
    shape = modeled[code]
    want = shape.metadata.get("error", {}).get("httpStatusCode")
    if want and want != status:
        errors.append(f"{case}: {om.name} answered {code} with HTTP {status}, the model says {want}")
    check(body, shape, f"{case}: {om.name} {code}", errors)
    return None


def template(token, duration):
    return dict(
        clientToken=token, description="wait " + duration, roleArn="arn:aws:iam::123456789012:role/gameday-fis",
        stopConditions=[{"source": "none"}], tags={"gameday": "ops"},
        actions={"wait": {"actionId": "aws:fis:wait", "parameters": {"duration": duration}}},
        logConfiguration={"logSchemaVersion": 2, "s3Configuration": {"bucketName": "fis-logs", "prefix": "p"}})


def await_state(case, exp_id, states):
    deadline = time.time() + 60
    while time.time() < deadline:
        e = call(case, "get_experiment", id=exp_id)
        if e and e["experiment"]["state"]["status"] in states:
            return e["experiment"]["state"]["status"]
        time.sleep(0.05)
    errors.append(f"{case}: experiment {exp_id} not {states} within 60 s")
    return None


long_t = call("create", "create_experiment_template", **template("ops-long", "PT12H"))["experimentTemplate"]["id"]
short_t = call("create", "create_experiment_template", **template("ops-short", "PT1M"))["experimentTemplate"]["id"]
call("create again, same token", "create_experiment_template", **template("ops-long", "PT12H"))
call("create, bad action", "create_experiment_template", **dict(template("ops-bad", "PT1M"), actions={"x": {"actionId": "aws:no:such"}}))
call("create, bad duration", "create_experiment_template", **template("ops-bad2", "pt5m"))
# The lengths and counts the model gives (boto3 checks none of them).
call("create, tag value 257", "create_experiment_template", **dict(template("ops-bad3", "PT1M"), tags={"k": "v" * 257}))
call("create, tag key 129", "create_experiment_template", **dict(template("ops-bad4", "PT1M"), tags={"k" * 129: "v"}))
call("create, 51 tags", "create_experiment_template", **dict(template("ops-bad5", "PT1M"), tags={f"k{i}": "v" for i in range(51)}))
call("create, action description 513", "create_experiment_template", **dict(template("ops-bad6", "PT1M"), actions={
    "wait": {"actionId": "aws:fis:wait", "description": "d" * 513, "parameters": {"duration": "PT1M"}}}))
call("create, parameter 1025", "create_experiment_template", **dict(template("ops-bad7", "PT1M"), actions={
    "cpu": {"actionId": "aws:ssm:send-command", "targets": {"Instances": "i"},
            "parameters": {"documentArn": "arn:aws:ssm:us-east-1::document/AWS-RunShellScript", "duration": "PT1M",
                           "documentParameters": "{" + " " * 1023 + "}"}}},
    targets={"i": {"resourceType": "aws:ec2:instance", "resourceArns": ["arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"], "selectionMode": "ALL"}}))
call("get template", "get_experiment_template", id=long_t)
call("get template, unknown", "get_experiment_template", id="EXTnosuchtemplate")
call("update", "update_experiment_template", id=short_t, description="wait a minute",
     actions={"wait": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT2M"}}})
call("update, unknown", "update_experiment_template", id="EXTnosuchtemplate", description="x")
call("update, bad duration", "update_experiment_template", id=short_t,
     actions={"wait": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT"}}})
call("tag template, value 257", "tag_resource", _constraint=True, resourceArn=f"arn:aws:fis:us-east-1:123456789012:experiment-template/{short_t}", tags={"run": "v" * 257})
call("tag template", "tag_resource", resourceArn=f"arn:aws:fis:us-east-1:123456789012:experiment-template/{short_t}", tags={"run": "1"})
page = call("list templates by 1", "list_experiment_templates", maxResults=1)
if page and page.get("nextToken"):
    call("list templates, next page", "list_experiment_templates", maxResults=1, nextToken=page["nextToken"])
else:
    errors.append("list templates by 1: no nextToken over two templates")
call("list templates, bad token", "list_experiment_templates", nextToken="not-a-token")
call("list templates, maxResults 101", "list_experiment_templates", maxResults=101)

running = call("start long", "start_experiment", clientToken="ops-start-long", experimentTemplateId=long_t, tags={"gameday": "ops"})["experiment"]["id"]
call("start again, same token", "start_experiment", clientToken="ops-start-long", experimentTemplateId=long_t)
call("start, tag value 257", "start_experiment", clientToken="ops-start-tags", experimentTemplateId=long_t, tags={"k": "v" * 257})
call("start, unknown template", "start_experiment", clientToken="ops-start-x", experimentTemplateId="EXTnosuchtemplate")
await_state("await running", running, ("running",))
call("tag experiment", "tag_resource", resourceArn=f"arn:aws:fis:us-east-1:123456789012:experiment/{running}", tags={"swept": "yes"})
call("stop running", "stop_experiment", id=running)
await_state("await stopped", running, ("stopped",))
call("stop ended (stopped)", "stop_experiment", id=running)
call("stop, unknown", "stop_experiment", id="EXPnosuchexperiment")
done = call("start short", "start_experiment", clientToken="ops-start-short", experimentTemplateId=short_t)["experiment"]["id"]
await_state("await completed", done, ("completed",))
call("stop ended (completed)", "stop_experiment", id=done)
call("get, unknown", "get_experiment", id="EXPnosuchexperiment")
page = call("list experiments by 1", "list_experiments", maxResults=1)
if page and page.get("nextToken"):
    call("list experiments, next page", "list_experiments", maxResults=1, nextToken=page["nextToken"])
else:
    errors.append("list experiments by 1: no nextToken over two experiments")
call("list experiments of a template", "list_experiments", experimentTemplateId=short_t)
call("list experiments, bad token", "list_experiments", nextToken="not-a-token")
call("list experiments, maxResults 101", "list_experiments", maxResults=101)

call("get lever", "get_safety_lever", id="default")
call("get lever, unknown", "get_safety_lever", id="nosuchlever")
call("engage lever", "update_safety_lever_state", id="default", state={"status": "engaged", "reason": "ops"})
call("engage lever again", "update_safety_lever_state", id="default", state={"status": "engaged", "reason": "ops"})
call("disengage lever", "update_safety_lever_state", id="default", state={"status": "disengaged", "reason": "ops"})

call("delete template", "delete_experiment_template", id=long_t)
call("delete template, unknown", "delete_experiment_template", id=long_t)
print(json.dumps({"calls": calls, "errors": errors}))
