#!/usr/bin/env python3
"""Writes a realistic synthetic month of Bedrock CloudTrail trail files, for the governance
report's worked example and tests.

Layout: OUT/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<ts>_<id>.json.gz,
each file a gzipped {"Records": [...]}, one file per account × Region × hour with events.

What happens (UTC):
- the 30 days before the month are the baseline: the regular principals work as usual;
- every day of the month:
  - role chat-app (sessions i-0a1, i-0b2): Converse / InvokeModel on the us. Sonnet 4.5
    profile from private IPs with Boto3, some served in us-east-2 (rerouted), a few throttles;
  - IAM user alice (data science): ConverseStream on Nova Pro on weekdays from one office IP,
    with the AWS CLI;
  - role ci-runner: CountTokens on Claude Haiku 4.5 before each deploy;
  - role reporting: a few calls a day to the legacy Claude v2 model;
- on day 9 bob (console, assumed role Admin) changes invocation logging and buys
  provisioned throughput; on day 15 the root user lists foundation models;
- on day 23 a stolen access key of IAM user svc-legacy-deploy (never seen in the baseline)
  is used from 185.220.101.x with python-requests: GetFoundationModelAvailability spree,
  model-access requests, AccessDenied (Claude 3 Opus) and ValidationException bursts, then
  400 successful InvokeModel calls on Sonnet 4.5 profiles in three Regions, and finally
  DeleteModelInvocationLoggingConfiguration.

Usage: scripts/synthetic_trail.py OUT [--month 2026-11] [--seed 7]
"""

import argparse
import datetime as dt
import gzip
import json
import os
import random
import uuid

ACCOUNT = "111122223333"
SONNET_US = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
NOVA_PRO = "amazon.nova-pro-v1:0"
HAIKU45 = "anthropic.claude-haiku-4-5-20251001-v1:0"
LEGACY = "anthropic.claude-v2"
OPUS3 = "anthropic.claude-3-opus-20240229-v1:0"


def role(name, session):
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE{name.upper()}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLE" + name.upper()[:8],
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROAEXAMPLE{name.upper()}",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                "accountId": ACCOUNT,
                "userName": name,
            },
            "attributes": {"creationDate": "2026-10-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def user(name):
    return {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE" + name.upper()[:8],
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "accessKeyId": "AKIAEXAMPLE" + name.upper()[:8],
        "userName": name,
    }


ROOT = {
    "type": "Root",
    "principalId": ACCOUNT,
    "arn": f"arn:aws:iam::{ACCOUNT}:root",
    "accountId": ACCOUNT,
    "accessKeyId": "ASIAEXAMPLEROOT",
}

BOTO = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36"
CLI = "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/macos#24.1.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe sid/4b0c3a command/bedrock-runtime.converse-stream"
CONSOLE = "AWS Internal"
REQUESTS = "python-requests/2.31.0"


def event(rng, when, region, name, identity, ip, agent, model=None, error=None, params=None,
          inference_region=None, read_only=True):
    runtime = name in ("InvokeModel", "InvokeModelWithResponseStream", "Converse",
                       "ConverseStream", "CountTokens")
    rec = {
        "eventVersion": rng.choice(["1.08", "1.09", "1.10"]),
        "userIdentity": identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "bedrock.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": params if params is not None else ({"modelId": model} if model else None),
        "responseElements": None,
        "requestID": str(uuid.UUID(int=rng.getrandbits(128))),
        "eventID": str(uuid.UUID(int=rng.getrandbits(128))),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": f"{'bedrock-runtime' if runtime else 'bedrock'}.{region}.amazonaws.com",
        },
    }
    if error:
        rec["errorCode"], rec["errorMessage"] = error
    if inference_region:
        rec["additionalEventData"] = {"inferenceRegion": inference_region}
    return rec


DENIED = ("AccessDenied", "You don't have access to the model with the specified model ID.")
INVALID = ("ValidationException", "The provided model identifier is invalid.")
THROTTLED = ("ThrottlingException", "Too many requests, please wait before trying again.")
LEGACY_ERR = ("ResourceNotFoundException", "This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days.")


def at(day, rng, start_h=0, end_h=24):
    secs = rng.randrange(start_h * 3600, end_h * 3600)
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=secs)


def regular_day(rng, day, out):
    chat = [role("chat-app", "i-0a1"), role("chat-app", "i-0b2")]
    for _ in range(rng.randint(250, 350)):
        when = at(day, rng, 6, 23)
        rerouted = rng.random() < 0.2
        err = THROTTLED if rng.random() < 0.01 else None
        out.append(event(rng, when, "us-east-1", rng.choice(["Converse", "InvokeModel"]),
                         rng.choice(chat), f"10.0.{rng.randint(1, 3)}.{rng.randint(2, 250)}", BOTO,
                         model=SONNET_US, error=err,
                         inference_region="us-east-2" if rerouted and not err else None))
    if day.weekday() < 5:
        for _ in range(rng.randint(30, 50)):
            out.append(event(rng, at(day, rng, 8, 18), "us-west-2", "ConverseStream", user("alice"),
                             "203.0.113.10", CLI, model=NOVA_PRO))
        for _ in range(rng.randint(5, 10)):
            out.append(event(rng, at(day, rng, 9, 17), "us-east-1", "CountTokens",
                             role("ci-runner", "gh-actions"), "192.0.2.44", BOTO, model=HAIKU45))
    for _ in range(rng.randint(1, 3)):
        out.append(event(rng, at(day, rng), "us-east-1", "InvokeModel",
                         role("reporting", "nightly"), "10.0.9.9", BOTO, model=LEGACY))


def special_days(rng, first, out):
    bob = role("Admin", "bob")
    d9 = first + dt.timedelta(days=8)
    out.append(event(rng, at(d9, rng, 10, 11), "us-east-1", "PutModelInvocationLoggingConfiguration",
                     bob, "198.51.100.7", CONSOLE, read_only=False,
                     params={"loggingConfig": {"s3Config": {"bucketName": "acme-bedrock-logs"},
                                               "textDataDeliveryEnabled": False}}))
    out.append(event(rng, at(d9, rng, 11, 12), "us-east-1", "CreateProvisionedModelThroughput",
                     bob, "198.51.100.7", CONSOLE, read_only=False,
                     params={"modelId": NOVA_PRO, "modelUnits": 1, "commitmentDuration": "OneMonth",
                             "provisionedModelName": "nova-pro-pt"}))
    d15 = first + dt.timedelta(days=14)
    out.append(event(rng, at(d15, rng, 3, 4), "us-east-1", "ListFoundationModels", ROOT,
                     "198.51.100.99", CONSOLE))
    # The stolen key.
    thief = user("svc-legacy-deploy")
    d23 = first + dt.timedelta(days=22)
    t = dt.datetime.combine(d23, dt.time(2, 14, 5))
    ip = lambda: f"185.220.101.{rng.randint(1, 60)}"
    for i in range(12):
        out.append(event(rng, t + dt.timedelta(seconds=20 * i), "us-east-1",
                         "GetFoundationModelAvailability", thief, ip(), REQUESTS,
                         model=rng.choice([OPUS3, SONNET_US.removeprefix("us."), HAIKU45])))
    t += dt.timedelta(minutes=5)
    out.append(event(rng, t, "us-east-1", "PutUseCaseForModelAccess", thief, ip(), REQUESTS,
                     read_only=False, params={"formData": "***"}))
    for i, m in enumerate([OPUS3, SONNET_US.removeprefix("us."), HAIKU45]):
        out.append(event(rng, t + dt.timedelta(seconds=30 + i), "us-east-1",
                         "CreateFoundationModelAgreement", thief, ip(), REQUESTS, read_only=False,
                         params={"modelId": m, "offerToken": "***"}))
    t += dt.timedelta(minutes=2)
    for i in range(15):
        out.append(event(rng, t + dt.timedelta(seconds=10 * i), "us-east-1", "InvokeModel", thief,
                         ip(), REQUESTS, model=OPUS3, error=DENIED))
    t += dt.timedelta(minutes=3)
    for i in range(12):
        out.append(event(rng, t + dt.timedelta(seconds=15 * i), "us-east-1", "InvokeModel", thief,
                         ip(), REQUESTS, model="anthropic.claude-sonnet-4-5", error=INVALID))
    t += dt.timedelta(minutes=3)
    for i in range(400):
        region = ["us-east-1", "us-west-2", "eu-west-1"][i % 3]
        model = SONNET_US if region != "eu-west-1" else "eu." + SONNET_US.removeprefix("us.")
        out.append(event(rng, t + dt.timedelta(seconds=54 * i), region, "InvokeModel", thief, ip(),
                         REQUESTS, model=model))
    out.append(event(rng, t + dt.timedelta(hours=6, minutes=5), "us-east-1",
                     "DeleteModelInvocationLoggingConfiguration", thief, ip(), REQUESTS,
                     read_only=False, params=None))


def write(out_dir, records, rng):
    files = {}
    for r in records:
        when = dt.datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
        files.setdefault((r["awsRegion"], when.date(), when.hour), []).append(r)
    n = 0
    for (region, day, hour), recs in sorted(files.items()):
        recs.sort(key=lambda r: r["eventTime"])
        folder = os.path.join(out_dir, "AWSLogs", ACCOUNT, "CloudTrail", region,
                              f"{day:%Y}", f"{day:%m}", f"{day:%d}")
        os.makedirs(folder, exist_ok=True)
        name = f"{ACCOUNT}_CloudTrail_{region}_{day:%Y%m%d}T{hour:02d}05Z_{rng.getrandbits(64):016x}.json.gz"
        with gzip.open(os.path.join(folder, name), "wt", encoding="utf-8") as f:
            json.dump({"Records": recs}, f, separators=(",", ":"))
        n += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--month", default="2026-11")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    year, month = map(int, a.month.split("-"))
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    records = []
    day = first - dt.timedelta(days=30)
    while day < nxt:
        regular_day(rng, day, records)
        day += dt.timedelta(days=1)
    special_days(rng, first, records)
    n = write(a.out, records, rng)
    print(f"{len(records)} records in {n} files under {a.out}")


if __name__ == "__main__":
    main()
