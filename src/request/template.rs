//! Chat-template overheads and image tokens per tokenizer family: every constant in one
//! place, each with where it comes from and whether it is exact.
//!
//! A chat model does not read the bare message texts: its template wraps each message in
//! special tokens (`<|start_header_id|>user<|end_header_id|>\n\n … <|eot_id|>` for Llama 3)
//! and appends the header of the assistant's reply. Bedrock bills those tokens as input.
//! For a body made of messages the count is therefore
//!
//! ```text
//! per_request
//! + tools_preamble (if any tools) + Σ tokens(tool JSON)
//! + per_message (if any system text) + Σ tokens(system block)
//! + Σ tokens(document)
//! + Σ over messages (per_message + Σ tokens(text part) + Σ image_tokens(image part))
//! + generation (if any messages)
//! ```
//!
//! Raw prompts (`prompt`, `inputText`) get no overhead: the caller wrote the template. The
//! special-token strings in them (see [`specials`]) count one token each, as the model's
//! tokenizer reads them, instead of being split as text.

use super::ImageRef;

/// Template overhead of one family, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// Once per request (e.g. `<|begin_of_text|>`).
    pub per_request: u64,
    /// Around each message, and once around the system text.
    pub per_message: u64,
    /// The header of the reply the model generates (e.g. `<|start_header_id|>assistant<|end_header_id|>\n\n`).
    pub generation: u64,
    /// The provider's hidden tool-use instructions, once when tools are given.
    pub tools_preamble: u64,
    /// Whether the constants are the template's real counts (else an assumption).
    pub exact: bool,
    pub source: &'static str,
}

/// The template of a tokenizer family.
pub fn for_family(family: &str) -> Template {
    match family {
        // Llama 3.x chat template (llama-models 0.3.0, `ChatFormat`): `<|begin_of_text|>`
        // once; per message `<|start_header_id|>` ROLE `<|end_header_id|>` `\n\n` … `<|eot_id|>`
        // where ROLE (system, user, assistant) and `\n\n` are one token each; the reply
        // header is the same 4 tokens. Exact.
        "llama3" => Template {
            per_request: 1,
            per_message: 5,
            generation: 4,
            tools_preamble: 0,
            exact: true,
            source: "Llama 3 chat template: <|begin_of_text|>, 5 per message, 4 for the reply header",
        },
        // Llama 4: `<|header_start|>` ROLE `<|header_end|>` `\n\n` … `<|eot|>`; same counts.
        "llama4" => Template {
            per_request: 1,
            per_message: 5,
            generation: 4,
            tools_preamble: 0,
            exact: true,
            source: "Llama 4 chat template: <|begin_of_text|>, 5 per message, 4 for the reply header",
        },
        // Anthropic publishes no per-message framing count. Assumption: count_tokens on a
        // one-word user message reports about 8 tokens, so 3 per request + 4 per message
        // (+ 1 for the reply). Tools: Anthropic's documented tool-use system prompt for
        // Claude 3.5 Sonnet and later with tool_choice auto is 346 tokens.
        "claude" | "claude-opus-4-7" | "claude-legacy" => Template {
            per_request: 3,
            per_message: 4,
            generation: 1,
            tools_preamble: 346,
            exact: false,
            source: "assumption: ~8 tokens of framing for a one-message request; 346-token tool-use prompt (Anthropic docs, tool_choice auto)",
        },
        // gpt-oss harmony format: `<|start|>` ROLE `<|message|>` … `<|end|>` = 4 per message,
        // `<|start|>assistant` = 2 for the reply. Not exact: Bedrock's default harmony
        // system header (model identity, date, reasoning level) is not counted.
        "gpt-oss" => Template {
            per_request: 0,
            per_message: 4,
            generation: 2,
            tools_preamble: 0,
            exact: false,
            source: "harmony format: 4 per message, 2 for the reply; Bedrock's default system header not counted",
        },
        // DeepSeek V3/R1: `<｜begin▁of▁sentence｜>` once, `<｜User｜>` / `<｜Assistant｜>`
        // one token per message, `<｜Assistant｜>` for the reply. Assistant turns also end
        // with `<｜end▁of▁sentence｜>`, not counted: not exact.
        "deepseek" => Template {
            per_request: 1,
            per_message: 1,
            generation: 1,
            tools_preamble: 0,
            exact: false,
            source: "DeepSeek template: BOS, 1 role token per message, 1 for the reply",
        },
        // Llama 2 / Mistral v1-v2: `<s>[INST] … [/INST]`: BOS + `[INST]` + `[/INST]` are
        // about 8 tokens of text around each user turn. Assumption: 8 per message.
        "llama2" | "mistral-v1" | "mistral-v2" | "mistral-v3" | "mistral-v7" | "mistral-tekken" => {
            Template {
                per_request: 0,
                per_message: 8,
                generation: 0,
                tools_preamble: 0,
                exact: false,
                source: "assumption: <s>[INST] … [/INST] is about 8 tokens per turn",
            }
        }
        // Nova, Titan, Cohere, Jamba and the rest publish no template. Assumption: 3 per
        // message (role marker and separators) and 3 for the reply.
        _ => Template {
            per_request: 0,
            per_message: 3,
            generation: 3,
            tools_preamble: 0,
            exact: false,
            source: "assumption: 3 tokens per message and 3 for the reply (no published template)",
        },
    }
}

/// Special-token strings a raw prompt may contain, one token each for the family.
pub fn specials(family: &str) -> &'static [&'static str] {
    match family {
        "llama3" => &[
            "<|begin_of_text|>",
            "<|end_of_text|>",
            "<|start_header_id|>",
            "<|end_header_id|>",
            "<|eot_id|>",
            "<|eom_id|>",
            "<|python_tag|>",
        ],
        "llama4" => &[
            "<|begin_of_text|>",
            "<|end_of_text|>",
            "<|header_start|>",
            "<|header_end|>",
            "<|eot|>",
            "<|eom|>",
            "<|python_start|>",
            "<|python_end|>",
        ],
        "llama2" | "mistral-v1" | "mistral-v2" => &["<s>", "</s>"],
        "gpt-oss" => &[
            "<|start|>",
            "<|end|>",
            "<|message|>",
            "<|channel|>",
            "<|constrain|>",
            "<|return|>",
            "<|call|>",
        ],
        "deepseek" => &[
            "<｜begin▁of▁sentence｜>",
            "<｜end▁of▁sentence｜>",
            "<｜User｜>",
            "<｜Assistant｜>",
        ],
        _ => &[],
    }
}

/// Claude resizes an image whose long edge exceeds this before counting it.
pub const CLAUDE_MAX_EDGE: u32 = 1568;
/// Claude scales larger images down to about this many tokens.
pub const CLAUDE_MAX_IMAGE_TOKENS: u64 = 1600;
/// Pixels per image token for Claude (Anthropic docs: tokens = width × height / 750).
pub const CLAUDE_PIXELS_PER_TOKEN: u64 = 750;
/// Nova: assumption fitted to Amazon's table of approximate image tokens (900×450 ≈ 800
/// up to 1300×1300 ≈ 2,600): about 600 pixels a token, at most 2,600 tokens.
pub const NOVA_PIXELS_PER_TOKEN: u64 = 600;
pub const NOVA_MAX_IMAGE_TOKENS: u64 = 2600;

/// Input tokens of one image for a family. Claude: the long edge is capped at 1568 px
/// (aspect kept), then ⌈w × h / 750⌉, at most 1,600. Nova: ⌈w × h / 600⌉, at most 2,600.
/// Other families: the Claude rule (assumption). An image of unknown size counts as the
/// maximum. Always an estimate.
pub fn image_tokens(family: &str, image: &ImageRef) -> u64 {
    let (per, max) = if family == "nova" {
        (NOVA_PIXELS_PER_TOKEN, NOVA_MAX_IMAGE_TOKENS)
    } else {
        (CLAUDE_PIXELS_PER_TOKEN, CLAUDE_MAX_IMAGE_TOKENS)
    };
    let (Some(w), Some(h)) = (image.width, image.height) else {
        return max;
    };
    let (mut w, mut h) = (u64::from(w), u64::from(h));
    if family != "nova" {
        let long = w.max(h);
        let cap = u64::from(CLAUDE_MAX_EDGE);
        if long > cap {
            w = (w * cap).div_ceil(long);
            h = (h * cap).div_ceil(long);
        }
    }
    (w * h).div_ceil(per).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claude_images() {
        let img = |w, h| ImageRef {
            width: Some(w),
            height: Some(h),
        };
        assert_eq!(image_tokens("claude", &img(1000, 1000)), 1334);
        assert_eq!(image_tokens("claude", &img(200, 200)), 54);
        // 3136×1568 → 1568×784 → 1639.3 → capped at 1600.
        assert_eq!(image_tokens("claude", &img(3136, 1568)), 1600);
        assert_eq!(image_tokens("nova", &img(900, 450)), 675);
    }
}
