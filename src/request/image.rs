//! Image-generation bodies, billed per image (size and quality pick the price row):
//! - Amazon Titan Image Generator and Nova Canvas: `taskType` (default `TEXT_IMAGE`), the
//!   task's `…Params.text`, `imageGenerationConfig { numberOfImages (1), width, height
//!   (1024 × 1024), quality: standard | premium }`;
//! - Stability AI: SDXL's `text_prompts`, `width`/`height` (1024), `samples` (1) and `steps`
//!   (more than 50 steps is priced as premium, as Bedrock's SDXL price list does); SD3.5 and
//!   Stable Image Ultra/Core take `prompt` and `aspect_ratio` and make one image.
//!
//! The prompt text is kept in [`Request::prompt`] (counted, not billed).

use serde_json::{Map, Value};

use super::json::{err, index, join, object, opt_array, opt_object, opt_str, opt_u64, req_str};
use super::{BodyError, ImageGeneration, Request};
use crate::catalog::Quality;

const TASK_PARAMS: &[&str] = &[
    "textToImageParams",
    "inPaintingParams",
    "outPaintingParams",
    "imageVariationParams",
    "colorGuidedGenerationParams",
    "backgroundRemovalParams",
];

pub fn titan(map: &Map<String, Value>) -> Result<Request, BodyError> {
    let mut texts = Vec::new();
    let mut found = false;
    for key in TASK_PARAMS {
        if let Some(params) = opt_object(map, key, "")? {
            found = true;
            if let Some(t) = opt_str(params, "text", key)? {
                texts.push(t.to_string());
            }
            if let Some(t) = opt_str(params, "negativeText", key)? {
                texts.push(t.to_string());
            }
        }
    }
    if !found {
        return Err(err(
            "",
            "missing the task's parameters (e.g. `textToImageParams`)",
        ));
    }
    let mut generation = ImageGeneration {
        count: 1,
        width: 1024,
        height: 1024,
        quality: Quality::Standard,
    };
    if let Some(cfg) = opt_object(map, "imageGenerationConfig", "")? {
        let p = "imageGenerationConfig";
        generation.count = opt_u64(cfg, "numberOfImages", p)?.unwrap_or(1);
        generation.width = dim(opt_u64(cfg, "width", p)?, 1024, &join(p, "width"))?;
        generation.height = dim(opt_u64(cfg, "height", p)?, 1024, &join(p, "height"))?;
        generation.quality = quality(opt_str(cfg, "quality", p)?, &join(p, "quality"))?;
    }
    Ok(Request {
        prompt: Some(texts.join("\n")),
        image_generation: Some(generation),
        ..Request::default()
    })
}

fn dim(v: Option<u64>, default: u32, p: &str) -> Result<u32, BodyError> {
    match v {
        None => Ok(default),
        Some(n) if (1..=16384).contains(&n) => Ok(n as u32),
        Some(n) => Err(err(p, format!("image size {n} is out of range"))),
    }
}

fn quality(v: Option<&str>, p: &str) -> Result<Quality, BodyError> {
    match v {
        None => Ok(Quality::Standard),
        Some(s) => s.parse().map_err(|e: String| err(p, e)),
    }
}

/// Size of Stability's `aspect_ratio` outputs (about one megapixel).
fn aspect_size(ratio: &str) -> Option<(u32, u32)> {
    Some(match ratio {
        "1:1" => (1024, 1024),
        "16:9" => (1344, 768),
        "9:16" => (768, 1344),
        "21:9" => (1536, 640),
        "9:21" => (640, 1536),
        "3:2" => (1216, 832),
        "2:3" => (832, 1216),
        "5:4" => (1088, 896),
        "4:5" => (896, 1088),
        _ => return None,
    })
}

pub fn stability(map: &Map<String, Value>) -> Result<Request, BodyError> {
    if let Some(prompts) = opt_array(map, "text_prompts", "")? {
        let mut texts = Vec::new();
        for (i, t) in prompts.iter().enumerate() {
            let p = index("text_prompts", i);
            texts.push(req_str(object(t, &p)?, "text", &p)?.to_string());
        }
        let steps = opt_u64(map, "steps", "")?.unwrap_or(30);
        return Ok(Request {
            prompt: Some(texts.join("\n")),
            image_generation: Some(ImageGeneration {
                count: opt_u64(map, "samples", "")?.unwrap_or(1),
                width: dim(opt_u64(map, "width", "")?, 1024, "width")?,
                height: dim(opt_u64(map, "height", "")?, 1024, "height")?,
                quality: if steps > 50 {
                    Quality::Premium
                } else {
                    Quality::Standard
                },
            }),
            ..Request::default()
        });
    }
    let prompt = req_str(map, "prompt", "")?;
    let mut texts = vec![prompt.to_string()];
    if let Some(n) = opt_str(map, "negative_prompt", "")? {
        texts.push(n.to_string());
    }
    let ratio = opt_str(map, "aspect_ratio", "")?.unwrap_or("1:1");
    let (width, height) = aspect_size(ratio)
        .ok_or_else(|| err("aspect_ratio", format!("unknown aspect ratio `{ratio}`")))?;
    Ok(Request {
        prompt: Some(texts.join("\n")),
        image_generation: Some(ImageGeneration {
            count: 1,
            width,
            height,
            quality: Quality::Standard,
        }),
        ..Request::default()
    })
}
