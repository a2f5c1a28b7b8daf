#!/usr/bin/env python3
"""Writes a realistic synthetic month of Bedrock model-invocation logs, for the chargeback
report's worked example.

Layout (as Bedrock delivers to S3): OUT/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/
YYYY/MM/DD/HH/<uuid>.json.gz, gzipped JSON Lines, one ModelInvocationLog record per request.

Who calls (UTC, every day of the month unless said otherwise):
- role chat-app, sessions i-0a1 and i-0b2 (team "search", requestMetadata team=search):
  Converse on the us. Claude Sonnet 4.5 profile with a cached system prompt (cache reads, a
  few 5-minute cache writes);
- role support-bot, session lambda-42 (team "support"): InvokeModel on Claude Haiku 4.5 with
  1-hour cache writes in the Anthropic response body (`usage.cache_creation`);
- IAM user alice (team "research", weekdays): ConverseStream on Nova Pro, some throttled;
- role batch-etl, session nightly (no team tag): Nova Lite summaries at night;
- one call a day to an imported model the catalog cannot price (no alias), to show an
  unpriced row.

Usage: scripts/synthetic_logs.py OUT [--month 2026-11] [--seed 11]
"""

import argparse
import datetime as dt
import gzip
import json
import os
import random
import uuid

ACCOUNT = "111122223333"
REGION = "us-east-1"
SONNET = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA_PRO = "amazon.nova-pro-v1:0"
NOVA_LITE = "amazon.nova-lite-v1:0"
CUSTOM = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:imported-model/k2m9x0"


def role(name, session):
    return f"arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}"


def record(rng, when, principal, operation, model, inp, out, cache_read=0, cache_write=0,
           team=None, body_usage=None, error=None):
    r = {
        "schemaType": "ModelInvocationLog",
        "schemaVersion": "1.0",
        "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "accountId": ACCOUNT,
        "region": REGION,
        "requestId": str(uuid.UUID(int=rng.getrandbits(128))),
        "operation": operation,
        "modelId": model,
        "input": {"inputContentType": "application/json", "inputTokenCount": inp},
        "output": {"outputContentType": "application/json", "outputTokenCount": out},
        "identity": {"arn": principal},
    }
    if cache_read or cache_write:
        r["input"]["cacheReadInputTokenCount"] = cache_read
        r["input"]["cacheWriteInputTokenCount"] = cache_write
    if body_usage is not None:
        r["output"]["outputBodyJson"] = {"type": "message", "usage": body_usage}
    if team:
        r["requestMetadata"] = {"team": team}
    if error:
        r["errorCode"] = error
        r["input"]["inputTokenCount"] = 0
        r["output"]["outputTokenCount"] = 0
    return r


def day_of(rng, day, out):
    t = lambda a, b: dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(a * 3600, b * 3600))
    for _ in range(rng.randint(180, 240)):
        out.append(record(rng, t(6, 23), role("chat-app", rng.choice(["i-0a1", "i-0b2"])), "Converse",
                          SONNET, rng.randint(300, 1500), rng.randint(100, 600),
                          cache_read=2000, cache_write=rng.choice([0, 0, 0, 2000]), team="search"))
    for _ in range(rng.randint(60, 90)):
        w1h = rng.choice([0, 0, 3000])
        out.append(record(rng, t(0, 24), role("support-bot", "lambda-42"), "InvokeModel", HAIKU,
                          rng.randint(200, 800), rng.randint(50, 300), cache_read=3000,
                          cache_write=w1h, team="support",
                          body_usage={"input_tokens": 0, "output_tokens": 0,
                                      "cache_read_input_tokens": 3000,
                                      "cache_creation_input_tokens": w1h,
                                      "cache_creation": {"ephemeral_5m_input_tokens": 0,
                                                         "ephemeral_1h_input_tokens": w1h}}))
    if day.weekday() < 5:
        for _ in range(rng.randint(25, 40)):
            err = "ThrottlingException" if rng.random() < 0.05 else None
            out.append(record(rng, t(8, 18), f"arn:aws:iam::{ACCOUNT}:user/alice", "ConverseStream",
                              NOVA_PRO, rng.randint(2000, 9000), rng.randint(500, 2000),
                              team="research", error=err))
    for _ in range(rng.randint(400, 500)):
        out.append(record(rng, t(1, 4), role("batch-etl", "nightly"), "InvokeModel", NOVA_LITE,
                          rng.randint(1500, 4000), rng.randint(100, 300)))
    out.append(record(rng, t(12, 13), role("batch-etl", "nightly"), "InvokeModel", CUSTOM, 1000, 100))


def write(out_dir, records, rng):
    files = {}
    for r in records:
        when = dt.datetime.strptime(r["timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        files.setdefault((when.date(), when.hour), []).append(r)
    for (day, hour), recs in sorted(files.items()):
        recs.sort(key=lambda r: r["timestamp"])
        folder = os.path.join(out_dir, "AWSLogs", ACCOUNT, "BedrockModelInvocationLogs", REGION,
                              f"{day:%Y}", f"{day:%m}", f"{day:%d}", f"{hour:02d}")
        os.makedirs(folder, exist_ok=True)
        name = f"{day:%Y%m%dT}{hour:02d}0000Z_{rng.getrandbits(64):016x}.json.gz"
        with gzip.open(os.path.join(folder, name), "wt", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, separators=(",", ":")) + "\n")
    return len(files)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--month", default="2026-11")
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    year, month = map(int, a.month.split("-"))
    day = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    records = []
    while day < nxt:
        day_of(rng, day, records)
        day += dt.timedelta(days=1)
    n = write(a.out, records, rng)
    print(f"{len(records)} records in {n} files under {a.out}")


if __name__ == "__main__":
    main()
