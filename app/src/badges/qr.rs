//! QR codes as SVG, made in the browser (WebAssembly) from a badge URL, and
//! read back (tests, and the camera on `/badge`).

/// An SVG QR code of `text` (medium error correction, a quiet zone).
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcode::render::svg;
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

/// The SVG as a `data:` URL, for an `<img>` (allowed by the page's CSP).
pub fn qr_data_url(text: &str) -> Option<String> {
    use base64::Engine;
    let svg = qr_svg(text)?;
    Some(format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    ))
}

/// The text of the first QR code found in an RGBA image (a camera frame).
#[cfg(any(feature = "hydrate", test))]
pub fn decode_rgba(rgba: &[u8], width: usize, height: usize) -> Option<String> {
    let luma: Vec<u8> = rgba
        .chunks_exact(4)
        .take(width * height)
        .map(|px| {
            let (r, g, b) = (px[0] as u32, px[1] as u32, px[2] as u32);
            ((r * 299 + g * 587 + b * 114) / 1000) as u8
        })
        .collect();
    if luma.len() < width * height {
        return None;
    }
    quircs::Quirc::default()
        .identify(width, height, &luma)
        .filter_map(Result::ok)
        .find_map(|code| code.decode().ok())
        .and_then(|data| String::from_utf8(data.payload).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes, renders each module as 4×4 RGBA pixels with a quiet zone,
    /// and decodes as a camera frame is (quircs, an independent decoder).
    fn round_trip(text: &str) -> String {
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
            .unwrap();
        let width = code.width();
        let colors = code.to_colors();
        let (scale, quiet) = (4usize, 4usize);
        let size = (width + 2 * quiet) * scale;
        let mut rgba = Vec::with_capacity(size * size * 4);
        for y in 0..size {
            for x in 0..size {
                let (mx, my) = (x / scale, y / scale);
                let dark = mx >= quiet
                    && my >= quiet
                    && mx < width + quiet
                    && my < width + quiet
                    && colors[(my - quiet) * width + (mx - quiet)] == qrcode::Color::Dark;
                let v = if dark { 0 } else { 255 };
                rgba.extend_from_slice(&[v, v, v, 255]);
            }
        }
        decode_rgba(&rgba, size, size).expect("one QR code")
    }

    #[test]
    fn a_badge_url_survives_a_qr_round_trip() {
        let url = format!(
            "https://keys.oakwood.sch.uk/badge#{}",
            "Zx9_-".repeat(8) + "abc"
        );
        assert_eq!(round_trip(&url), url);
    }

    #[test]
    fn the_svg_is_an_svg() {
        let svg = qr_svg("http://127.0.0.1:3000/badge#abc").unwrap();
        assert!(
            svg.starts_with("<?xml") || svg.starts_with("<svg"),
            "{}",
            &svg[..40]
        );
        assert!(qr_data_url("x")
            .unwrap()
            .starts_with("data:image/svg+xml;base64,"));
    }
}
