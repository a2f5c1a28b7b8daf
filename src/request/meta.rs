//! Meta Llama bodies: `prompt` (the caller writes the chat template, e.g. Llama 3's
//! `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n…<|eot_id|>`: the special
//! tokens in it count one token each, see [`super::template::specials`]), `max_gen_len`
//! (default 512), and `images` (base64) for Llama 3.2 vision models.

use serde_json::{Map, Value};

use super::json::{index, opt_array, opt_u64, req_str, string};
use super::{BodyError, Message, Part, Request, images};

pub fn llama(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut req = Request {
        prompt: Some(req_str(map, "prompt", "")?.to_string()),
        max_output_tokens: opt_u64(map, "max_gen_len", "")?,
        ..Request::default()
    };
    if let Some(imgs) = opt_array(map, "images", "")? {
        let mut parts = Vec::new();
        for (i, v) in imgs.iter().enumerate() {
            parts.push(Part::Image(images::from_base64(string(
                v,
                &index("images", i),
            )?)));
        }
        req.messages.push(Message {
            role: "user".into(),
            parts,
        });
    }
    Ok(req)
}
