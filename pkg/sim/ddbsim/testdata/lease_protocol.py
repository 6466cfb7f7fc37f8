"""The lease protocol of gameday, and the DynamoDB errors around it, through
boto3 against the endpoint in AWS_ENDPOINT_URL. Prints one JSON document:
[[step, outcome], ...], where an outcome is the error code or the part of
the answer the step checks. ddbsim_test.go runs it against moto_server and
against the simulator and compares the two."""
import json
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

# No retries: an answer is compared as given (moto answers some with 500).
ddb = boto3.client("dynamodb", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
T = "gameday-leases"
out = []


def step(name, fn):
    try:
        out.append([name, fn()])
    except ClientError as e:
        err = e.response["Error"]
        res = {"error": err["Code"]}
        if "Item" in e.response:
            res["item"] = e.response["Item"]
        out.append([name, res])


def lease(owner, expires):
    return {"gameday": {"S": "carts"}, "owner": {"S": owner}, "expiresAt": {"N": str(expires)}}


ACQUIRE = "attribute_not_exists(#g) OR #e < :now OR #o = :owner"
NAMES = {"#g": "gameday", "#e": "expiresAt", "#o": "owner"}


def acquire(owner, expires, now, **kw):
    return ddb.put_item(TableName=T, Item=lease(owner, expires), ConditionExpression=ACQUIRE,
                        ExpressionAttributeNames=NAMES,
                        ExpressionAttributeValues={":now": {"N": str(now)}, ":owner": {"S": owner}}, **kw)


def release(owner, **kw):
    return ddb.delete_item(TableName=T, Key={"gameday": {"S": "carts"}}, ConditionExpression="#o = :owner",
                           ExpressionAttributeNames={"#o": "owner"},
                           ExpressionAttributeValues={":owner": {"S": owner}}, **kw)


def get():
    r = ddb.get_item(TableName=T, Key={"gameday": {"S": "carts"}}, ConsistentRead=True)
    return r.get("Item")


step("create table", lambda: ddb.create_table(
    TableName=T, BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "gameday", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "gameday", "KeyType": "HASH"}])["TableDescription"]["KeySchema"])
step("create it again", lambda: ddb.create_table(
    TableName=T, BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "gameday", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "gameday", "KeyType": "HASH"}]) and "created")
step("describe table", lambda: ddb.describe_table(TableName=T)["Table"]["TableStatus"])
step("enable ttl", lambda: ddb.update_time_to_live(
    TableName=T, TimeToLiveSpecification={"AttributeName": "expiresAt", "Enabled": True})["TimeToLiveSpecification"])
step("describe ttl", lambda: ddb.describe_time_to_live(TableName=T)["TimeToLiveDescription"])
step("A acquires a free lease", lambda: acquire("A", 2000, 1000) and get())
step("B is refused while A holds it", lambda: acquire("B", 2500, 1500) and get())
step("B is refused, with the holder", lambda: acquire("B", 2500, 1500, ReturnValuesOnConditionCheckFailure="ALL_OLD") and get())
step("A acquires again (retried preflight)", lambda: acquire("A", 2000, 1600) and get())
step("B takes an expired lease", lambda: acquire("B", 3000, 2500, ReturnValues="ALL_OLD").get("Attributes"))
step("A cannot release B's lease", lambda: release("A") and get())
step("B releases", lambda: release("B", ReturnValues="ALL_OLD").get("Attributes"))
step("released", lambda: get() or "none")
step("B releases again", lambda: release("B") and "released")
step("unused value", lambda: ddb.put_item(TableName=T, Item=lease("C", 1), ConditionExpression="attribute_not_exists(gameday)",
                                          ExpressionAttributeValues={":x": {"S": "x"}}) and "put")
step("clean up after it", lambda: ddb.delete_item(TableName=T, Key={"gameday": {"S": "carts"}}) and "deleted")
step("undefined value", lambda: ddb.put_item(TableName=T, Item=lease("C", 1), ConditionExpression="expiresAt < :now") and "put")
step("undefined name", lambda: ddb.put_item(TableName=T, Item=lease("C", 1), ConditionExpression="attribute_not_exists(#g)") and "put")
step("reserved word", lambda: ddb.put_item(TableName=T, Item=lease("C", 1), ConditionExpression="owner = :o",
                                           ExpressionAttributeValues={":o": {"S": "C"}}) and "put")
step("missing key", lambda: ddb.put_item(TableName=T, Item={"owner": {"S": "C"}}) and "put")
step("key of the wrong type", lambda: ddb.put_item(TableName=T, Item={"gameday": {"N": "1"}}) and "put")
step("get with a wrong key", lambda: ddb.get_item(TableName=T, Key={"owner": {"S": "C"}}) and "got")
step("missing table", lambda: ddb.get_item(TableName="nope-table", Key={"gameday": {"S": "x"}}) and "got")
for i, g in enumerate(["a", "b", "c"]):
    step("put " + g, lambda g=g, i=i: ddb.put_item(TableName=T, Item={"gameday": {"S": g}, "expiresAt": {"N": str(i)}}) and "put")
step("NOT, AND, BETWEEN", lambda: ddb.put_item(
    TableName=T, Item={"gameday": {"S": "b"}, "expiresAt": {"N": "5"}},
    ConditionExpression="NOT attribute_not_exists(gameday) AND (expiresAt BETWEEN :lo AND :hi)",
    ExpressionAttributeValues={":lo": {"N": "0"}, ":hi": {"N": "1.5"}}) and "put")
step("<> on a number", lambda: ddb.put_item(
    TableName=T, Item={"gameday": {"S": "c"}, "expiresAt": {"N": "6"}},
    ConditionExpression="expiresAt <> :two", ExpressionAttributeValues={":two": {"N": "2.0"}}) and "put")


def scan_all():
    seen, pages, start = [], 0, None
    while True:
        kw = {"TableName": T, "Limit": 2}
        if start:
            kw["ExclusiveStartKey"] = start
        r = ddb.scan(**kw)
        pages += 1
        seen += [i["gameday"]["S"] + "=" + i["expiresAt"]["N"] for i in r["Items"]]
        start = r.get("LastEvaluatedKey")
        if not start:
            return {"items": sorted(seen), "pages": pages}


step("scan in pages of 2", scan_all)
step("scan with a filter", lambda: sorted(i["gameday"]["S"] for i in ddb.scan(
    TableName=T, FilterExpression="expiresAt > :n", ExpressionAttributeValues={":n": {"N": "1"}})["Items"]))
print(json.dumps(out, indent=1, sort_keys=True))
