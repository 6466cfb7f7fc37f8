"""Runs the S3 calls gameday makes (ListObjectsV2 paged with and without a
delimiter, as the archive and `gameday history` list; GetObject, HeadObject,
CopyObject and PutObject, with their errors) with boto3 against the endpoint
in argv[1], and prints each answer, reduced to what S3 defines, as a JSON
list. s3_listing_test.go runs it against moto and against the simulator."""
import json
import sys

import boto3
from botocore.config import Config

c = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test",
                 config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
BUCKET = "gameday-listing"
KEYS = ["AWSLogs/1/fis/r/e1/2026/01/01/a", "AWSLogs/1/fis/r/e1/2026/01/01/b",
        "gamedays/cart/2026-01-01T00-00-00Z_a/summary.json", "gamedays/cart/2026-01-01T00-00-00Z_a/report.html",
        "gamedays/cart/2026-01-01T00-00-00Z_a/logs/x.json", "gamedays/cart/2026-01-02T00-00-00Z_b/summary.json",
        "gamedays/cart/2026-01-02T00-00-00Z_b/report.html", "gamedays/cart/top.json",
        "gamedays/cart/2026-01-03T00-00-00Z_c/summary.json", "gamedays/shop/2026-01-01T00-00-00Z_d/summary.json",
        "z"]


def call(name, **kw):
    try:
        r = getattr(c, name)(**kw)
    except c.exceptions.ClientError as e:
        return {"error": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    keep = {}
    for k in ("IsTruncated", "KeyCount", "Prefix", "Delimiter", "StartAfter"):
        if k in r:
            keep[k] = r[k]
    if "Contents" in r:
        keep["Contents"] = [o["Key"] for o in r["Contents"]]
    if "CommonPrefixes" in r:
        keep["CommonPrefixes"] = [p["Prefix"] for p in r["CommonPrefixes"]]
    keep["token"] = "NextContinuationToken" in r
    if "Body" in r:
        keep["Body"] = r["Body"].read().decode()
    if "ContentLength" in r:
        keep["ContentLength"] = r["ContentLength"]
    return keep


def pages(**kw):
    """Every page, following the continuation tokens."""
    out = []
    while True:
        r = c.list_objects_v2(**kw)
        out.append(call("list_objects_v2", **kw))
        if not r["IsTruncated"]:
            return out
        kw["ContinuationToken"] = r["NextContinuationToken"]


out = {}
out["create"] = call("create_bucket", Bucket=BUCKET)
for k in KEYS:
    c.put_object(Bucket=BUCKET, Key=k, Body=k.encode())
for size in (1, 2, 3, 1000):
    out[f"runs by {size}"] = pages(Bucket=BUCKET, Prefix="gamedays/cart/", Delimiter="/", MaxKeys=size)
    out[f"gamedays by {size}"] = pages(Bucket=BUCKET, Prefix="gamedays/", Delimiter="/", MaxKeys=size)
    out[f"logs by {size}"] = pages(Bucket=BUCKET, Prefix="AWSLogs/", MaxKeys=size)
    out[f"all by {size}"] = pages(Bucket=BUCKET, MaxKeys=size)
out["root folders"] = pages(Bucket=BUCKET, Delimiter="/")
out["partial prefix"] = pages(Bucket=BUCKET, Prefix="gamedays/cart/2026-01-0", Delimiter="/")
out["start after"] = pages(Bucket=BUCKET, Prefix="gamedays/", StartAfter="gamedays/cart/2026-01-02T00-00-00Z_b/report.html")
out["no prefix match"] = pages(Bucket=BUCKET, Prefix="nothing/")
out["max keys 0"] = call("list_objects_v2", Bucket=BUCKET, MaxKeys=0)
out["no bucket"] = call("list_objects_v2", Bucket="gameday-no-such-bucket")
out["get"] = call("get_object", Bucket=BUCKET, Key="z")
out["get no key"] = call("get_object", Bucket=BUCKET, Key="no/such/key")
out["get no bucket"] = call("get_object", Bucket="gameday-no-such-bucket", Key="z")
out["head no key"] = call("head_object", Bucket=BUCKET, Key="no/such/key")
out["copy"] = call("copy_object", Bucket=BUCKET, Key="copied", CopySource={"Bucket": BUCKET, "Key": "z"})
out["get copy"] = call("get_object", Bucket=BUCKET, Key="copied")
out["copy no key"] = call("copy_object", Bucket=BUCKET, Key="copied2", CopySource={"Bucket": BUCKET, "Key": "no/such/key"})
out["put no bucket"] = call("put_object", Bucket="gameday-no-such-bucket", Key="k", Body=b"x")
print(json.dumps(out, indent=1, sort_keys=True))
