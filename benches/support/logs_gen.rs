//! A generated invocation-log folder for benchmarks and measurements: gzipped JSON Lines
//! under `AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/`, with the
//! record shapes Bedrock writes: Converse with text bodies, Anthropic InvokeModel with cache
//! usage, InvokeModelWithResponseStream chunk lists, text delivery off, failed calls.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

/// Decompressed bytes per generated file.
const FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: [&str; 12] = [
    "the",
    "cost",
    "of",
    "tokens",
    "model",
    "invocation",
    "cache",
    "prompt",
    "résumé",
    "数据",
    "\\\"quoted\\\"",
    "line\\nbreak",
];

fn text(rng: &mut Rng, words: u64) -> String {
    let mut s = String::new();
    for _ in 0..words {
        s.push_str(WORDS[rng.below(WORDS.len() as u64) as usize]);
        s.push(' ');
    }
    s
}

/// One record as a JSON line (with its newline).
fn record(rng: &mut Rng, n: u64, hour: u64) -> String {
    let user = rng.below(50);
    let arn = if user.is_multiple_of(2) {
        format!(
            "arn:aws:sts::111122223333:assumed-role/app-{}/session-{user}",
            user % 5
        )
    } else {
        format!("arn:aws:iam::111122223333:user/user-{user}")
    };
    let head = format!(
        r#""schemaType":"ModelInvocationLog","schemaVersion":"1.0","timestamp":"2025-06-01T{:02}:{:02}:{:02}Z","accountId":"111122223333","identity":{{"arn":"{arn}"}},"region":"us-east-1","requestId":"{:08x}-0000-4000-8000-{n:012x}""#,
        hour % 24,
        rng.below(60),
        rng.below(60),
        rng.next() as u32,
    );
    let input = rng.below(4000);
    let output = rng.below(800);
    let meta = if rng.below(3) == 0 {
        format!(
            r#","requestMetadata":{{"team":"team-{}","env":"prod"}}"#,
            rng.below(4)
        )
    } else {
        String::new()
    };
    let body = match rng.below(10) {
        0..=3 => format!(
            r#""operation":"Converse","modelId":"us.amazon.nova-lite-v1:0","input":{{"inputContentType":"application/json","inputBodyJson":{{"messages":[{{"role":"user","content":[{{"text":"{}"}}]}}],"inferenceConfig":{{"maxTokens":512}}}},"inputTokenCount":{input},"cacheReadInputTokenCount":0,"cacheWriteInputTokenCount":0}},"output":{{"outputContentType":"application/json","outputBodyJson":{{"output":{{"message":{{"role":"assistant","content":[{{"text":"{}"}}]}}}},"stopReason":"end_turn","metrics":{{"latencyMs":302}},"usage":{{"inputTokens":{input},"outputTokens":{output},"totalTokens":{}}}}},"outputTokenCount":{output}}}"#,
            text(rng, 60),
            text(rng, 120),
            input + output
        ),
        4..=6 => format!(
            r#""operation":"InvokeModel","modelId":"global.anthropic.claude-sonnet-4-5-20250929-v1:0","input":{{"inputContentType":"application/json","inputBodyJson":{{"anthropic_version":"bedrock-2023-05-31","max_tokens":1024,"system":[{{"type":"text","text":"{}","cache_control":{{"type":"ephemeral","ttl":"1h"}}}}],"messages":[{{"role":"user","content":"{}"}}]}},"inputTokenCount":{input}}},"output":{{"outputContentType":"application/json","outputBodyJson":{{"id":"msg_1","type":"message","role":"assistant","content":[{{"type":"text","text":"{}"}}],"usage":{{"input_tokens":{input},"output_tokens":{output},"cache_read_input_tokens":2000,"cache_creation_input_tokens":300,"cache_creation":{{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200}}}}}},"outputTokenCount":{output}}}"#,
            text(rng, 80),
            text(rng, 40),
            text(rng, 150)
        ),
        7 => {
            let mut chunks = format!(
                r#"{{"type":"message_start","message":{{"id":"m","usage":{{"input_tokens":{input},"output_tokens":1}}}}}}"#
            );
            for _ in 0..rng.below(20) + 5 {
                chunks.push_str(&format!(
                    r#",{{"type":"content_block_delta","index":0,"delta":{{"type":"text_delta","text":"{}"}}}}"#,
                    text(rng, 6)
                ));
            }
            chunks.push_str(&format!(
                r#",{{"type":"message_delta","usage":{{"output_tokens":{output}}}}},{{"type":"message_stop","amazon-bedrock-invocationMetrics":{{"inputTokenCount":{input},"outputTokenCount":{output},"invocationLatency":900,"firstByteLatency":200}}}}"#
            ));
            format!(
                r#""operation":"InvokeModelWithResponseStream","modelId":"anthropic.claude-3-5-haiku-20241022-v1:0","input":{{"inputContentType":"application/json","inputBodyJson":{{"messages":[{{"role":"user","content":"{}"}}]}},"inputTokenCount":{input}}},"output":{{"outputContentType":"application/json","outputBodyJson":[{chunks}],"outputTokenCount":{output}}}"#,
                text(rng, 30)
            )
        }
        8 => format!(
            r#""operation":"Converse","modelId":"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/abc123","input":{{"inputContentType":"application/json","inputTokenCount":{input}}},"output":{{"outputContentType":"application/json","outputTokenCount":{output}}}"#
        ),
        _ => r#""operation":"InvokeModel","modelId":"anthropic.claude-3-haiku-20240307-v1:0","errorCode":"ThrottlingException","input":{"inputContentType":"application/json"},"output":{"outputContentType":"application/json"}"#.to_string(),
    };
    format!("{{{head},{body}{meta}}}\n")
}

/// Writes about `mib` MiB (decompressed) of logs under `root`; returns (files, bytes, records).
pub fn write_logs(root: &Path, mib: u64) -> io::Result<(u64, u64, u64)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let total = mib * 1024 * 1024;
    let (mut files, mut bytes, mut records) = (0u64, 0u64, 0u64);
    while bytes < total {
        let hour = files;
        let dir = root.join(format!(
            "AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2025/06/{:02}/{:02}",
            1 + (hour / 24) % 28,
            hour % 24
        ));
        fs::create_dir_all(&dir)?;
        let file = File::create(dir.join(format!("{files:06}.json.gz")))?;
        let mut out = GzEncoder::new(BufWriter::new(file), Compression::fast());
        let mut in_file = 0u64;
        while in_file < FILE_BYTES && bytes < total {
            let line = record(&mut rng, records, hour);
            out.write_all(line.as_bytes())?;
            in_file += line.len() as u64;
            bytes += line.len() as u64;
            records += 1;
        }
        out.finish()?.flush()?;
        files += 1;
    }
    Ok((files, bytes, records))
}
