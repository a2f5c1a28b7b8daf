#!/usr/bin/env python3
"""Cross-check bedrock-meter's price catalog (pricing/*.toml) against public price references.

References (pinned, from PyPI):
  * litellm 1.110.2      -- litellm/model_prices_and_context_window_backup.json
  * genai-prices 0.2.3   -- genai_prices/data.py (provider "aws")

The script makes a temporary virtual environment, installs genai-prices into it (its data is
Python objects, not JSON), downloads the litellm wheel with `pip download --no-deps` and reads
the JSON out of it. It then normalises every Bedrock price of both references to

    (model, Region, scope, mode, dimension, long-context threshold) -> USD per catalog unit

and compares each with the catalog row that would bill the same thing. It prints matches,
disagreements, reference prices the catalog lacks, and models missing on either side.

Usage:
    python3 scripts/crosscheck_prices.py              # summary + disagreements + missing models
    python3 scripts/crosscheck_prices.py --verbose    # also every match and every missing price
    python3 scripts/crosscheck_prices.py --json FILE  # also write the normalised references
    python3 scripts/crosscheck_prices.py --refs DIR   # reuse a folder of already-extracted
                                                      # references (litellm.json, genai.json)

Normalisation rules (documented so the numbers can be checked by hand):
  * Model IDs: a cross-Region prefix (`us.`, `eu.`, `apac.`, `au.`, `jp.`, `in.`, `ca.`, `us-gov.`,
    `global.`, genai-prices' `regional.`) is the *scope*; litellm's `bedrock/<region>/`,
    `bedrock/<region>/<N>-month-commitment/`, `bedrock_mantle/[<region>/]` and
    `<size>/<steps>/` prefixes give Region, provisioned term and image tier. Models are then
    matched on a loose key: lower case, a trailing `-v<N>[:<M>]`, `:<M>` or `-<N>:<M>` version
    suffix removed (`anthropic.claude-opus-4-6-v1` == `anthropic.claude-opus-4-6-v1:0`).
  * Scope: `global.` -> global; geographic prefixes and `regional.` -> geo; a bare ID -> the
    in-Region rate, which the catalog bills as `geo` where it has geo rows, else `any`.
    `us-gov.` and GovCloud Regions are priced in us-gov-west-1.
  * Region: entries without a Region are us-east-1 prices (both references say so).
  * Dimensions: per-token prices x 1,000,000 -> per 1M tokens; cache creation is the 5-minute
    write for Anthropic and Amazon models and the 30-minute write (`cache-write-30m`) for
    models served through Bedrock's Mantle engine (everything else); `_above_1hr` -> 1-hour
    write; `_above_<N>k_tokens` -> long-context threshold N*1000; `_batches` / `_flex` /
    `_priority` -> those modes; per image -> `image`; per query -> `rerank-queries` per 1K
    queries; per second of video -> `video-input` per second; audio tokens -> `audio-*-tokens`;
    provisioned `input_cost_per_second` x 3600 -> model-unit hour.
  * genai-prices' dated price lists: the last entry (the price in force now) is compared.

Exit status 0 always (it reports); the counts are the result.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import venv
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

LITELLM = ("litellm", "1.110.2", "litellm/model_prices_and_context_window_backup.json")
GENAI = ("genai-prices", "0.2.3")
ROOT = Path(__file__).resolve().parent.parent
MILLION = Decimal(1_000_000)

GEO_PREFIXES = ("us", "eu", "apac", "au", "jp", "in", "ca", "us-gov", "regional")
# Providers whose prompt-cache writes have a 5-minute TTL; everyone else on Bedrock is served
# through Mantle, whose cache writes last 30 minutes (usage type `cache-write-tokens-30m`).
FIVE_MINUTE_CACHE = ("anthropic.", "amazon.")

GENAI_EXPORT = r"""
import json, sys, types
try:
    import httpx2  # noqa: F401
except ImportError:  # only the updater needs it; the data does not
    sys.modules['httpx2'] = types.ModuleType('httpx2')
import genai_prices.data as d
def val(v):
    if v is None:
        return None
    if hasattr(v, 'base'):
        return {'base': str(v.base), 'tiers': [[t.start, str(t.price)] for t in v.tiers]}
    return str(v)
out = []
for p in d.providers:
    if p.id != 'aws':
        continue
    for m in p.models:
        prices = m.prices
        if isinstance(prices, list):
            prices = prices[-1].prices
        out.append({'id': m.id, 'context_window': m.context_window,
                    'prices': {k: val(v) for k, v in prices.__dict__.items() if not k.startswith('_') and v is not None}})
json.dump(out, sys.stdout)
"""


def fetch_references(work: Path) -> tuple[dict, list]:
    """Downloads both packages into `work` and returns (litellm entries, genai-prices models)."""
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    pip = [str(py), "-m", "pip", "-q", "--disable-pip-version-check"]
    name, version = GENAI
    if subprocess.run(pip + ["install", f"{name}=={version}"]).returncode != 0:
        subprocess.run(pip + ["install", "--no-deps", f"{name}=={version}", "pydantic>=2.10", "typing_extensions"], check=True)
        subprocess.run(pip + ["install", "pydantic>=2.10"], check=True)
    genai = json.loads(subprocess.run([str(py), "-c", GENAI_EXPORT], check=True, capture_output=True, text=True).stdout)
    name, version, member = LITELLM
    subprocess.run(pip + ["download", "--no-deps", "-d", str(work / "dl"), f"{name}=={version}"], check=True)
    wheel = next((work / "dl").glob("litellm-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        litellm = json.loads(z.read(member))
    return litellm, genai


def loose(model_id: str) -> str:
    m = model_id.lower().strip()
    m = re.sub(r":\d+$", "", m)
    m = re.sub(r"-v1$", "", m)
    return ALIASES.get(m, m)


# Reference spellings that name the same Bedrock model under another ID (Mantle names, typos).
ALIASES = {
    "anthropic.claude-haiku-4-5": "anthropic.claude-haiku-4-5-20251001",
    "anthropic.claude-opus-4-5": "anthropic.claude-opus-4-5-20251101",
    "qwen.qwen3-coder-30b-a3b-instruct": "qwen.qwen3-coder-30b-a3b",
    "qwen.qwen3-coder-480b-a35b-instruct": "qwen.qwen3-coder-480b-a35b",
    "qwen.qwen3-vl-235b-a22b-instruct": "qwen.qwen3-vl-235b-a22b",
    "openai.gpt-oss-120b-1": "openai.gpt-oss-120b",
    "openai.gpt-oss-20b-1": "openai.gpt-oss-20b",
    "qwen.qwen3-next-80b-a3b-instruct": "qwen.qwen3-next-80b-a3b",
}


def split_scope(model_id: str) -> tuple[str, str]:
    """('global'|'geo'|'any', bare ID) of a possibly prefixed ID."""
    head, _, rest = model_id.partition(".")
    if head == "global":
        return "global", rest
    if head in GEO_PREFIXES and rest.count(".") >= 1:
        return ("geo-gov" if head == "us-gov" else "geo"), rest
    return "any", model_id


# A geographic profile prefix without a Region: the references do not say which source Region
# the price was read in, so it is compared with the catalog's rows in any Region of that
# geography (and the catalog applies it to the Region named here, saying so in `source`).
PREFIX_GEOGRAPHY = {"us": "us-", "eu": "eu-", "apac": "ap-", "au": "ap-southeast-2", "jp": "ap-northeast-1",
                    "in": "ap-south-1", "ca": "ca-", "us-gov": "us-gov-"}


def cache_write_dim(model: str) -> str:
    return "cache-write-5m" if model.startswith(FIVE_MINUTE_CACHE) else "cache-write-30m"


LITELLM_SUFFIX = re.compile(r"^(?P<base>.*?)(?:_above_(?P<k>\d+)k_tokens)?(?:_(?P<mode>batches|flex|priority|ultrafast))?$")


def litellm_facts(data: dict) -> list[dict]:
    facts = []
    for key, v in data.items():
        if not isinstance(v, dict) or "bedrock" not in str(v.get("litellm_provider", "")):
            continue
        parts = key.split("/")
        region, term, tier = None, None, None
        if parts[0] in ("bedrock", "bedrock_mantle"):
            parts = parts[1:]
        if len(parts) >= 3 and parts[1] in ("50-steps", "max-steps"):
            tier, parts = f"{parts[0]}/{parts[1]}", parts[2:]
            if parts and parts[0] == "bedrock":
                parts = parts[1:]
        if len(parts) >= 2 and (parts[0] == "*" or re.match(r"^[a-z]{2}(-gov)?-[a-z]+-\d$", parts[0])):
            region, parts = (None if parts[0] == "*" else parts[0]), parts[1:]
        if len(parts) >= 2 and parts[0].endswith("-month-commitment"):
            term, parts = parts[0], parts[1:]
        if len(parts) != 1 or parts[0] in ("invoke", "guardrails", "claude_platform"):
            if parts and parts[0] == "invoke" and len(parts) == 2:
                parts = parts[1:]
            else:
                continue
        scope, bare = split_scope(parts[0])
        if "." not in bare:
            continue
        prefix = parts[0].split(".")[0]
        geography = None
        if scope == "geo-gov":
            scope = "geo"
        if scope == "geo" and region is None and prefix != "us":
            geography = PREFIX_GEOGRAPHY.get(prefix)
        if prefix == "us-gov" and region is None:
            geography = "us-gov-"
        model = loose(bare)
        base = dict(model=model, raw=key, region=region or "us-east-1", geography=geography, scope=scope,
                    ref="litellm", tolerance=None)
        if term:
            per_s = v.get("input_cost_per_second")
            if per_s:
                mode = "provisioned-1-month" if term.startswith("1") else "provisioned-6-month"
                # litellm stores the hourly rate divided by 3600 and rounded: compare to 0.05%.
                facts.append(dict(base, mode=mode, dim="model-unit-hour", above=None, unit="hour",
                                  usd=Decimal(str(per_s)) * 3600, tolerance=Decimal("0.0005")))
            continue
        for field, value in v.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value == 0:
                continue
            m = LITELLM_SUFFIX.match(field)
            fb, k, mode = m["base"], m["k"], m["mode"]
            if mode == "ultrafast":
                continue
            mode = {"batches": "batch", None: "on-demand"}.get(mode, mode)
            above = int(k) * 1000 if k else None
            dim, unit, scale = {
                "input_cost_per_token": ("input-tokens", "1M tokens", MILLION),
                "output_cost_per_token": ("output-tokens", "1M tokens", MILLION),
                "cache_read_input_token_cost": ("cache-read", "1M tokens", MILLION),
                "cache_creation_input_token_cost": (cache_write_dim(model), "1M tokens", MILLION),
                "cache_creation_input_token_cost_above_1hr": ("cache-write-1h", "1M tokens", MILLION),
                "input_cost_per_audio_token": ("audio-input-tokens", "1M tokens", MILLION),
                "output_cost_per_audio_token": ("audio-output-tokens", "1M tokens", MILLION),
                "output_cost_per_image": ("image", "image", Decimal(1)),
                "input_cost_per_image": ("input-image", "image", Decimal(1)),
                "input_cost_per_query": ("rerank-queries", "1K queries", Decimal(1000)),
                "input_cost_per_video_per_second": ("video-input", "second", Decimal(1)),
                "input_cost_per_second": ("video-input", "second", Decimal(1)),
            }.get(fb, (None, None, None))
            if fb == "cache_creation_input_token_cost_above_1hr_above" or dim is None:
                if fb.startswith("cache_creation_input_token_cost_above_1hr") and k:
                    dim, unit, scale = "cache-write-1h", "1M tokens", MILLION
                else:
                    continue
            if fb == "input_cost_per_second" and "embed" not in model and "pegasus" not in model:
                continue
            facts.append(dict(base, mode=mode, dim=dim, above=above, unit=unit, usd=Decimal(str(value)) * scale,
                              tier=tier))
    return facts


GENAI_FIELDS = {
    "input_mtok": "input-tokens",
    "output_mtok": "output-tokens",
    "cache_read_mtok": "cache-read",
    "cache_write_1h_mtok": "cache-write-1h",
    "input_audio_mtok": "audio-input-tokens",
    "output_audio_mtok": "audio-output-tokens",
}


def genai_facts(models: list) -> list[dict]:
    facts = []
    for m in models:
        scope, bare = split_scope(m["id"])
        model = loose(bare)
        base = dict(model=model, raw=m["id"], region="us-east-1", geography=None, scope=scope, ref="genai-prices",
                    mode="on-demand", unit="1M tokens", tier=None, tolerance=None)
        for field, value in m["prices"].items():
            dim = GENAI_FIELDS.get(field) or (cache_write_dim(model) if field == "cache_write_mtok" else None)
            if dim is None:
                continue
            if isinstance(value, dict):
                facts.append(dict(base, dim=dim, above=None, usd=Decimal(value["base"])))
                for start, price in value["tiers"]:
                    facts.append(dict(base, dim=dim, above=start, usd=Decimal(price)))
            else:
                facts.append(dict(base, dim=dim, above=None, usd=Decimal(value)))
    return facts


def catalog_rows(pricing: Path) -> tuple[dict, dict]:
    """({loose model: [row, ...]}, {loose model: catalog id}) with each row's defaults applied."""
    rows, ids = defaultdict(list), {}
    for f in sorted(pricing.glob("*.toml")):
        doc = tomllib.loads(f.read_text())
        d = doc.get("defaults", {})
        for m in doc.get("models", []):
            key = loose(m["id"])
            ids[key] = m["id"]
            for p in m.get("prices", []):
                usd = Decimal(p["usd"])
                unit = p["unit"]
                if unit == "1K tokens":
                    usd, unit = usd * 1000, "1M tokens"
                rows[key].append(dict(regions=p.get("regions", d.get("regions", [])), mode=p["mode"],
                                      dim=p["dimension"], scope=p.get("scope", "any"), above=p.get("above_input_tokens"),
                                      custom=p.get("custom", False), unit=unit, usd=usd,
                                      effective=p.get("effective", d.get("effective", "")),
                                      resolution=p.get("resolution"), quality=p.get("quality")))
    return rows, ids


def catalog_prices(rows: list, fact: dict) -> list[Decimal]:
    """The catalog rates that bill what `fact` prices (latest effective first)."""
    wanted_scopes = {"any": ["geo", "any"], "geo": ["geo", "any"], "global": ["global", "any"]}[fact["scope"]]
    def in_place(r):
        if fact.get("geography"):
            return any(x.startswith(fact["geography"]) for x in r["regions"])
        return fact["region"] in r["regions"]

    for scope in wanted_scopes:
        hits = [r for r in rows if r["mode"] == fact["mode"] and r["dim"] == fact["dim"] and r["scope"] == scope
                and r["above"] == fact["above"] and not r["custom"] and in_place(r)
                and r["unit"] == fact["unit"]]
        if hits:
            latest = max(h["effective"] for h in hits)
            return sorted({h["usd"] for h in hits if h["effective"] == latest})
    return []


def same(a: Decimal, b: Decimal, tolerance: Decimal | None = None) -> bool:
    return abs(a - b) <= max(abs(a), abs(b)) * (tolerance or Decimal("0.000001"))


def compare(facts: list[dict], rows: dict, ids: dict, verbose: bool) -> dict:
    out = defaultdict(list)
    for f in facts:
        if f["model"] not in ids:
            continue
        have = catalog_prices(rows[f["model"]], f)
        where = f"{ids[f['model']]} {f.get('geography') and f['geography'] + '*' or f['region']} {f['scope']} {f['mode']} {f['dim']}" + (
            f" >{f['above']}" if f["above"] else "") + (f" [{f['tier']}]" if f.get("tier") else "")
        if not have:
            out["missing"].append(f"{where}: {f['ref']} {f['usd'].normalize()} per {f['unit']} ({f['raw']})")
        elif any(same(h, f["usd"], f.get("tolerance")) for h in have):
            out["match"].append(f"{where}: {f['usd'].normalize()} ({f['ref']})")
        elif f["scope"] == "any" and f["ref"] == "litellm" and any(same(h, f["usd"] * Decimal("1.1")) for h in have):
            # The settled dispute: a bare in-Region ID of a model billed per route costs the geo
            # rate (global + 10%); litellm prices its bare entries at the global rate.
            out["bare-id dispute"].append(f"{where}: catalog geo {', '.join(str(h.normalize()) for h in have)} vs "
                                          f"litellm bare (global rate) {f['usd'].normalize()} ({f['raw']})")
        else:
            out["disagree"].append(f"{where}: catalog {', '.join(str(h.normalize()) for h in have)} vs {f['ref']} "
                                   f"{f['usd'].normalize()} ({f['raw']})")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pricing", type=Path, default=ROOT / "pricing")
    ap.add_argument("--refs", type=Path, help="folder with litellm.json and genai.json from an earlier run")
    ap.add_argument("--json", type=Path, help="write the normalised reference prices here")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if args.refs and (args.refs / "litellm.json").exists():
        litellm = json.loads((args.refs / "litellm.json").read_text())
        genai = json.loads((args.refs / "genai.json").read_text())
    else:
        with tempfile.TemporaryDirectory(prefix="crosscheck-") as tmp:
            litellm, genai = fetch_references(Path(tmp))
        if args.refs:
            args.refs.mkdir(parents=True, exist_ok=True)
            (args.refs / "litellm.json").write_text(json.dumps(litellm))
            (args.refs / "genai.json").write_text(json.dumps(genai))
    facts = litellm_facts(litellm) + genai_facts(genai)
    if args.json:
        args.json.write_text(json.dumps(facts, default=str, indent=1))
    rows, ids = catalog_rows(args.pricing)
    result = compare(facts, rows, ids, args.verbose)
    ref_models = {f["model"] for f in facts}
    per_ref = {r: {f["model"] for f in facts if f["ref"] == r} for r in ("litellm", "genai-prices")}
    missing_in_catalog = sorted(ref_models - set(ids))
    missing_in_refs = sorted(ids[k] for k in set(ids) - ref_models)
    regions = sorted({f["region"] for f in facts})
    for kind in ("disagree",) + (("bare-id dispute", "match", "missing") if args.verbose else ()):
        print(f"== {kind} ({len(result[kind])})")
        for line in sorted(result[kind]):
            print("  " + line)
    print(f"== reference models missing from the catalog ({len(missing_in_catalog)})")
    for m in missing_in_catalog:
        print("  " + m + "  [" + ", ".join(r for r, s in per_ref.items() if m in s) + "]")
    print(f"== catalog models no reference prices ({len(missing_in_refs)})")
    for m in missing_in_refs:
        print("  " + m)
    print("== summary")
    print(f"  reference prices: {len(facts)} (litellm {sum(f['ref'] == 'litellm' for f in facts)}, "
          f"genai-prices {sum(f['ref'] == 'genai-prices' for f in facts)}) over {len(ref_models)} models, "
          f"{len(regions)} Regions")
    print(f"  catalog models: {len(ids)}")
    print(f"  matches: {len(result['match'])}")
    print(f"  disagreements: {len(result['disagree'])}")
    print(f"  known dispute, bare in-Region IDs (catalog geo rate = litellm's global rate x 1.10): "
          f"{len(result['bare-id dispute'])}")
    print(f"  reference prices the catalog lacks (model known): {len(result['missing'])}")
    print(f"  reference models missing from the catalog: {len(missing_in_catalog)}")
    print(f"  catalog models no reference prices: {len(missing_in_refs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
