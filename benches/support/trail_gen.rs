//! A synthetic trail folder for measurements: gzipped `{"Records": [...]}` files laid out
//! like a trail's (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/`), with records shaped
//! like the published ones (~1.3 KB each): 60% Bedrock (InvokeModel, Converse, streams,
//! control-plane calls; cross-Region reroutes; throttling and access errors) and 40% other
//! services, as a real trail mixes them. Deterministic (a fixed-seed xorshift).

#![allow(dead_code)]

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

const MODELS: &[&str] = &[
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "us.anthropic.claude-3-5-haiku-20241022-v1:0",
    "us.anthropic.claude-sonnet-4-20250514-v1:0",
    "amazon.nova-lite-v1:0",
    "us.amazon.nova-pro-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "cohere.embed-english-v3",
    "amazon.titan-embed-text-v2:0",
];
const AGENTS: &[&str] = &[
    "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.225 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36",
    "aws-cli/2.17.50 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#bedrock-runtime.invoke-model",
    "aws-sdk-js/3.654.0 ua/2.1 os/linux#5.10 lang/js md/nodejs#20.17.0 api/bedrock-runtime#3.654.0",
    "AWS Internal",
    "aws-sdk-java/2.28.11 Linux/5.10 OpenJDK_64-Bit_Server_VM/21.0.4+7-LTS Java/21.0.4 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
];
const REGIONS: &[&str] = &["us-east-1", "us-west-2", "eu-central-1"];
const OTHER: &[(&str, &str)] = &[
    ("s3.amazonaws.com", "GetBucketAcl"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("kms.amazonaws.com", "Decrypt"),
    ("logs.amazonaws.com", "CreateLogStream"),
];

fn record(rng: &mut Rng, second: u64) -> String {
    let account = "111122223333";
    let region = rng.pick(REGIONS);
    let role = format!("app-role-{}", rng.next() % 12);
    let session = format!("worker-{}", rng.next() % 40);
    let agent = rng.pick(AGENTS);
    let (h, m, s) = (second / 3600 % 24, second / 60 % 60, second % 60);
    let time = format!("2025-03-26T{h:02}:{m:02}:{s:02}Z");
    let roll = rng.next() % 100;
    let (source, name, params, extra) = if roll < 60 {
        let model = rng.pick(MODELS);
        let name = match roll % 10 {
            0..=4 => "InvokeModel",
            5..=7 => "Converse",
            8 => "InvokeModelWithResponseStream",
            _ => "GetFoundationModelAvailability",
        };
        let extra = if model.starts_with("us.") && roll.is_multiple_of(3) {
            r#","additionalEventData":{"inferenceRegion":"us-west-2"}"#
        } else {
            ""
        };
        (
            "bedrock.amazonaws.com",
            name,
            format!(r#"{{"modelId":"{model}"}}"#),
            extra,
        )
    } else {
        let (source, name) = OTHER[(roll % OTHER.len() as u64) as usize];
        (source, name, r#"{"bucketName":"example-logs","Host":"example-logs.s3.us-east-1.amazonaws.com","acl":""}"#.to_string(), "")
    };
    let error = match rng.next() % 40 {
        0 => {
            r#","errorCode":"ThrottlingException","errorMessage":"Too many requests, please wait before trying again.""#
        }
        1 => {
            r#","errorCode":"AccessDenied","errorMessage":"You don't have access to the model with the specified model ID.""#
        }
        _ => "",
    };
    let ip = format!("198.51.100.{}", rng.next() % 250);
    format!(
        r#"{{"eventVersion":"1.10","userIdentity":{{"type":"AssumedRole","principalId":"AROA2N7TQQRGKJYPCLOG0:{session}","arn":"arn:aws:sts::{account}:assumed-role/{role}/{session}","accountId":"{account}","accessKeyId":"ASIA6FTSFH98XNF7DFZB","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROA2N7TQQRGKJYPCLOG0","arn":"arn:aws:iam::{account}:role/{role}","accountId":"{account}","userName":"{role}"}},"attributes":{{"creationDate":"2025-03-26T00:00:00Z","mfaAuthenticated":"false"}}}}}},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":"{agent}"{error},"requestParameters":{params},"responseElements":null{extra},"requestID":"{}","eventID":"{}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management","tlsDetails":{{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"bedrock-runtime.{region}.amazonaws.com"}}}}"#,
        rng.uuid(),
        rng.uuid()
    )
}

/// Writes about `total_mb` MiB of decompressed records into `dir` in files of about 2 MiB;
/// returns (files, decompressed bytes, records).
pub fn write_trail(dir: &Path, total_mb: u64) -> io::Result<(u64, u64, u64)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let day = dir.join("AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/26");
    fs::create_dir_all(&day)?;
    let target = total_mb * 1024 * 1024;
    let (mut files, mut bytes, mut records, mut second) = (0u64, 0u64, 0u64, 0u64);
    while bytes < target {
        let mut text = String::with_capacity(2 * 1024 * 1024 + 4096);
        text.push_str(r#"{"Records":["#);
        let mut first = true;
        while text.len() < 2 * 1024 * 1024 && bytes + (text.len() as u64) < target {
            if !first {
                text.push(',');
            }
            first = false;
            text.push_str(&record(&mut rng, second));
            second += 1;
            records += 1;
        }
        text.push_str("]}");
        let name = format!("111122223333_CloudTrail_us-east-1_20250326T0000Z_{files:06}.json.gz");
        let mut enc = GzEncoder::new(fs::File::create(day.join(name))?, Compression::default());
        enc.write_all(text.as_bytes())?;
        enc.finish()?;
        bytes += text.len() as u64;
        files += 1;
    }
    Ok((files, bytes, records))
}
