"""Runs the template calls moto 5.2.1's FIS serves (create, with a clientToken
reused; tag, untag, list tags; delete, twice) with boto3 against the endpoint
in argv[1], and prints what each answered as JSON; operations_test.go runs it
against moto and against the simulator and compares."""
import json
import sys

import boto3

c = boto3.client("fis", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="AKIDSIM", aws_secret_access_key="secret")


def code(fn, **kw):
    try:
        fn(**kw)
        return "ok"
    except c.exceptions.ClientError as e:
        return e.response["Error"]["Code"]


out = {}
t = dict(clientToken="moto-1", description="wait", roleArn="arn:aws:iam::123456789012:role/gameday-fis",
         stopConditions=[{"source": "none"}], tags={"gameday": "cart"},
         actions={"wait": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT1M"}}})
created = c.create_experiment_template(**t)["experimentTemplate"]
tid, arn = created["id"], created["arn"]
out["create: members"] = sorted(created)
out["create: tags"] = created["tags"]
out["create: arn"] = arn.replace(tid, "ID")
out["create: actions"] = created["actions"]
out["create again, same token: same template"] = c.create_experiment_template(**t)["experimentTemplate"]["id"] == tid
c.tag_resource(resourceArn=arn, tags={"run": "1"})
out["tags after tag"] = c.list_tags_for_resource(resourceArn=arn)["tags"]
c.untag_resource(resourceArn=arn, tagKeys=["gameday"])
out["tags after untag"] = c.list_tags_for_resource(resourceArn=arn)["tags"]
deleted = c.delete_experiment_template(id=tid)["experimentTemplate"]
out["delete: members"] = sorted(deleted)
out["delete: tags"] = deleted["tags"]
out["delete again"] = code(c.delete_experiment_template, id=tid)
print(json.dumps(out, sort_keys=True))
