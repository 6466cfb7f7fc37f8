"""Lists and gets every FIS action from the endpoint in argv[1] with boto3,
and checks each raw response body against botocore's FIS service model:
no member the shape does not have, every value of its shape's type.
Prints {"ids": [...], "got": {id: {"targets": ..., "parameters": ...}}, "errors": [...]}."""
import json
import sys

import boto3
import botocore.session

model = botocore.session.get_session().get_service_model("fis")
errors = []
raw = []


def check(value, shape, path):
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: {type(value).__name__}, want an object ({shape.name})")
            return
        for k, v in value.items():
            if k not in shape.members:
                errors.append(f"{path}.{k}: not a member of {shape.name}")
                continue
            check(v, shape.members[k], f"{path}.{k}")
        for k in shape.required_members:
            if k not in value:
                errors.append(f"{path}.{k}: required by {shape.name}, missing")
    elif t == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: {type(value).__name__}, want a map ({shape.name})")
            return
        for k, v in value.items():
            check(v, shape.value, f"{path}[{k}]")
    elif t == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: {type(value).__name__}, want a list ({shape.name})")
            return
        for i, v in enumerate(value):
            check(v, shape.member, f"{path}[{i}]")
    elif t == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: {value!r}, want a string ({shape.name})")
        elif "max" in shape.metadata and len(value) > shape.metadata["max"]:
            errors.append(f"{path}: {len(value)} characters, over {shape.name}'s max {shape.metadata['max']}")
    elif t == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: {value!r}, want a boolean ({shape.name})")
    elif t in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: {value!r}, want an integer ({shape.name})")


def keep(http_response, model, **kwargs):
    raw.append((model.name, json.loads(http_response.content or b"{}")))


client = boto3.client("fis", endpoint_url=sys.argv[1], region_name="us-east-1",
                      aws_access_key_id="AKIDSIM", aws_secret_access_key="secret")
client.meta.events.register("after-call.fis.*", keep)

ids = []
for page in client.get_paginator("list_actions").paginate(PaginationConfig={"PageSize": 25}):
    ids += [a["id"] for a in page["actions"]]
got = {}
for i in ids:
    a = client.get_action(id=i)["action"]
    got[i] = {"targets": {k: v["resourceType"] for k, v in a.get("targets", {}).items()},
              "parameters": {k: v["required"] for k, v in a.get("parameters", {}).items()}}
for op, body in raw:
    check(body, model.operation_model(op).output_shape, op)
print(json.dumps({"ids": ids, "got": got, "errors": errors}))
