//! Image sizes from base64 image data: PNG, JPEG, GIF and WebP headers.
//!
//! Image tokens depend on width × height (see [`super::template::image_tokens`]), and bodies
//! carry images as base64. Only the header is needed, so only the start of the data is
//! decoded (all of it for JPEGs whose size marker comes late).

use base64::Engine as _;

use super::ImageRef;

/// Reads the size of base64 (or `data:` URI) image data; unknown sizes stay `None`.
pub fn from_base64(data: &str) -> ImageRef {
    let data = match data.split_once(";base64,") {
        Some((head, rest)) if head.starts_with("data:") => rest,
        _ => data,
    };
    let data = data.trim();
    let engine = base64::engine::general_purpose::STANDARD;
    // 64 KiB of base64 is 48 KiB of image: enough for every header but a JPEG with a large
    // EXIF block, which gets a second try on the whole data.
    let head_len = data.len().min(65536) / 4 * 4;
    for slice in [&data[..head_len], data] {
        if let Ok(bytes) = engine.decode(slice)
            && let Some((w, h)) = size(&bytes)
        {
            return ImageRef {
                width: Some(w),
                height: Some(h),
            };
        }
    }
    ImageRef {
        width: None,
        height: None,
    }
}

/// Width and height from an image header.
pub fn size(b: &[u8]) -> Option<(u32, u32)> {
    let be32 = |i: usize| {
        b.get(i..i + 4)
            .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    };
    let le16 = |i: usize| {
        b.get(i..i + 2)
            .map(|s| u32::from(u16::from_le_bytes([s[0], s[1]])))
    };
    let be16 = |i: usize| {
        b.get(i..i + 2)
            .map(|s| u32::from(u16::from_be_bytes([s[0], s[1]])))
    };
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some((be32(16)?, be32(20)?));
    }
    if b.starts_with(b"GIF8") {
        return Some((le16(6)?, le16(8)?));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        let le24 = |i: usize| {
            b.get(i..i + 3)
                .map(|s| u32::from_le_bytes([s[0], s[1], s[2], 0]))
        };
        return match b.get(12..16)? {
            b"VP8 " => Some((le16(26)? & 0x3fff, le16(28)? & 0x3fff)),
            b"VP8L" => {
                let v = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
                Some(((v & 0x3fff) + 1, ((v >> 14) & 0x3fff) + 1))
            }
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            _ => None,
        };
    }
    if b.starts_with(&[0xff, 0xd8]) {
        let mut i = 2;
        while i + 9 < b.len() {
            if b[i] != 0xff {
                i += 1;
                continue;
            }
            let marker = b[i + 1];
            if marker == 0xff {
                i += 1;
                continue;
            }
            // Start-of-frame markers (not DHT c4, JPG c8, DAC cc) carry the size.
            if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
                return Some((be16(i + 7)?, be16(i + 5)?));
            }
            i += 2 + be16(i + 2)? as usize;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_header() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&800u32.to_be_bytes());
        png.extend_from_slice(&600u32.to_be_bytes());
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        assert_eq!(
            from_base64(&b64),
            ImageRef {
                width: Some(800),
                height: Some(600)
            }
        );
        assert_eq!(from_base64("not base64!").width, None);
    }

    #[test]
    fn jpeg_header() {
        let mut j = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00];
        j.extend_from_slice(&[0xff, 0xc0, 0x00, 0x11, 0x08, 0x01, 0xe0, 0x02, 0x80, 0x03]);
        assert_eq!(size(&j), Some((640, 480)));
    }
}
