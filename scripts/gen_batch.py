#!/usr/bin/env python3
"""Writes a synthetic Bedrock batch-inference JSONL file of about SIZE megabytes.

Usage: scripts/gen_batch.py OUT.jsonl SIZE_MB [--format llama|anthropic] [--text OUT.txt] [--seed N]

Each line is {"recordId": ..., "modelInput": <InvokeModel body>}; the prompts are
pseudo-random English-like text (deterministic for a seed), about 1-3 KB per record.
--text also writes the bare prompt texts (one per line), to measure raw tokenization
throughput on the same text (see scripts/measure_batch.sh). The generated files are not
committed.
"""
import argparse
import json
import random

WORDS = (
    "the of and to in is for on that with as by this be are from at or an it not your we "
    "can will has more all have new about one was which their our price token model batch "
    "inference request customer order invoice shipping refund policy account billing cost "
    "summary report cache prompt response output input record region quota throughput "
    "latency daily monthly budget forecast usage estimate compare service tier priority "
    "flex provisioned capacity unit hour minute second document image table chart answer"
).split()


def sentence(rng):
    n = rng.randint(6, 18)
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"]) + (
        f" Ticket #{rng.randint(1000, 99999)}." if rng.random() < 0.2 else ""
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("size_mb", type=float)
    ap.add_argument("--format", choices=["llama", "anthropic"], default="llama")
    ap.add_argument("--text")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    target = int(a.size_mb * 1024 * 1024)
    written = 0
    i = 0
    text_out = open(a.text, "w", encoding="utf-8") if a.text else None
    with open(a.out, "w", encoding="utf-8") as out:
        while written < target:
            i += 1
            text = " ".join(sentence(rng) for _ in range(rng.randint(8, 30)))
            if a.format == "llama":
                body = {
                    "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n"
                    + text
                    + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                    "max_gen_len": 256,
                }
            else:
                body = {
                    "anthropic_version": "bedrock-2023-05-31",
                    "max_tokens": 512,
                    "messages": [{"role": "user", "content": text}],
                }
            line = json.dumps({"recordId": f"R{i:09d}", "modelInput": body}) + "\n"
            out.write(line)
            written += len(line.encode())
            if text_out:
                text_out.write(text + "\n")
    if text_out:
        text_out.close()
    print(f"{a.out}: {i} records, {written / 1048576:.1f} MiB")


if __name__ == "__main__":
    main()
