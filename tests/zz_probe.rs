use bedrock_meter::tokenize::{Engine, counter};
use std::time::Instant;
#[test]
fn probe() {
    let text = "Hello world! 日本語のテキストです。 fn main() { println!(\"{}\", 42); } <|endoftext|> <s> 🎉🎉  \n\n   trailing   ";
    for fam in [
        "llama3",
        "llama4",
        "mistral-tekken",
        "gpt-oss",
        "deepseek",
        "claude-legacy",
        "llama2",
        "mistral-v1",
        "mistral-v3",
        "mistral-v7",
        "ai21-j2",
    ] {
        let t = Instant::now();
        let r = counter(fam, Engine::Reference).unwrap();
        let tr = t.elapsed();
        let t = Instant::now();
        let f = counter(fam, Engine::Fast).unwrap();
        let tf = t.elapsed();
        println!(
            "{fam:16} ref {:>4} fast {:>4}  load ref {:?} fast {:?}",
            r.count(text),
            f.count(text),
            tr,
            tf
        );
    }
}
