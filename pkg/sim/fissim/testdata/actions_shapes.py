"""Lists and gets every FIS action from the endpoint in argv[1] with boto3,
and checks each raw response body against botocore's FIS service model
(botocore_shapes.py).
Prints {"ids": [...], "got": {id: {"targets": ..., "parameters": ...}}, "errors": [...]}."""
import json
import sys

import boto3

from botocore_shapes import check_outputs

raw = []


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
print(json.dumps({"ids": ids, "got": got, "errors": check_outputs(raw)}))
