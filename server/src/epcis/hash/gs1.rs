//! GS1 identifiers in the event hash (docs/event-hash.md §6): EPC URNs and GS1 Digital Links,
//! whatever their host, become the constrained canonical Digital Link
//! `https://id.gs1.org/<key>/<value>[/<qualifier>/<value>]`, so that an event names the same
//! object with the same text however it was written.
//!
//! This is text rewriting, as the hash rules define it, not identifier validation: `%xx`
//! escapes are kept as written, a GS1 key is not checked, and anything that does not fit a
//! rule is left unchanged. Validation happens when an event is decoded.

use std::borrow::Cow;

use trace_proto::check_digit;

const BASE: &str = "https://id.gs1.org/";

/// The canonical Digital Link of a GS1 identifier; any other text unchanged.
pub fn canonical(value: &str) -> Cow<'_, str> {
    let rewritten = if value.starts_with("urn:epc:") {
        from_urn(value)
    } else {
        from_digital_link(value)
    };
    rewritten.map_or(Cow::Borrowed(value), Cow::Owned)
}

/// `payload` followed by its GS1 check digit; `None` unless `payload` is all digits.
fn with_check_digit(payload: &str) -> Option<String> {
    let digit = check_digit::digit_char(payload).ok()?;
    Some(format!("{payload}{digit}"))
}

/// GTIN-14 from an EPC company prefix and item reference (indicator digit first).
fn gtin(company: &str, item: &str) -> Option<String> {
    let indicator = item.get(..1)?;
    with_check_digit(&format!("{indicator}{company}{}", item.get(1..)?))
}

/// Serial, lot and extension parts keep their `%xx` escapes; these are escaped too.
fn escaped(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        match c {
            '!' => out.push_str("%21"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '*' => out.push_str("%2A"),
            '+' => out.push_str("%2B"),
            ',' => out.push_str("%2C"),
            ':' => out.push_str("%3A"),
            c => out.push(c),
        }
    }
    out
}

/// Splits a URN body into exactly `N` parts, the last one taking any further dots.
fn parts<const N: usize>(body: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut split = body.splitn(N, '.');
    for slot in &mut out {
        *slot = split.next()?;
    }
    Some(out)
}

fn from_urn(urn: &str) -> Option<String> {
    let rest = urn.strip_prefix("urn:epc:")?;
    let (form, rest) = rest.split_once(':')?;
    let (scheme, body) = rest.split_once(':')?;
    let path = match form {
        "id" => id_path(scheme, body)?,
        "class" if scheme == "lgtin" => {
            let [cp, ir, lot] = parts(body)?;
            format!("01/{}/10/{}", gtin(cp, ir)?, escaped(lot))
        }
        "idpat" => pattern_path(scheme, body)?,
        _ => return None,
    };
    Some(format!("{BASE}{path}"))
}

fn id_path(scheme: &str, body: &str) -> Option<String> {
    Some(match scheme {
        "sgtin" | "upui" => {
            let [cp, ir, serial] = parts(body)?;
            let ai = if scheme == "sgtin" { "21" } else { "235" };
            format!("01/{}/{ai}/{}", gtin(cp, ir)?, escaped(serial))
        }
        "sscc" => {
            let [cp, sr] = parts(body)?;
            let (extension, rest) = (sr.get(..1)?, sr.get(1..)?);
            format!(
                "00/{}",
                with_check_digit(&format!("{extension}{cp}{rest}"))?
            )
        }
        "sgln" => {
            let [cp, lr, ext] = parts(body)?;
            let gln = with_check_digit(&format!("{cp}{lr}"))?;
            match ext {
                "0" => format!("414/{gln}"),
                ext => format!("414/{gln}/254/{}", escaped(ext)),
            }
        }
        "pgln" | "gsin" | "gsrn" | "gsrnp" => {
            let [cp, reference] = parts(body)?;
            let ai = match scheme {
                "pgln" => "417",
                "gsin" => "402",
                "gsrn" => "8018",
                _ => "8017",
            };
            format!("{ai}/{}", with_check_digit(&format!("{cp}{reference}"))?)
        }
        "grai" | "gdti" | "sgcn" => {
            let [cp, reference, serial] = parts(body)?;
            format!("{}{}", keyed_class(scheme, cp, reference)?, escaped(serial))
        }
        "giai" | "ginc" => {
            let [cp, reference] = parts(body)?;
            let ai = if scheme == "giai" { "8004" } else { "401" };
            cp.bytes().all(|b| b.is_ascii_digit()).then_some(())?;
            format!("{ai}/{cp}{}", escaped(reference))
        }
        "cpi" => {
            let [cp, reference, serial] = parts(body)?;
            format!("8010/{cp}{}/8011/{}", escaped(reference), escaped(serial))
        }
        "itip" => {
            let [cp, ir, piece, total, serial] = parts(body)?;
            let numeric = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            (numeric(piece) && numeric(total)).then_some(())?;
            let key = gtin(cp, ir)?;
            format!("8006/{key}{piece}{total}/21/{}", escaped(serial))
        }
        _ => return None,
    })
}

/// The key part of GRAI, GDTI and SGCN: AI, `/`, and the check-digited number.
fn keyed_class(scheme: &str, cp: &str, reference: &str) -> Option<String> {
    Some(match scheme {
        "grai" => format!("8003/{}", with_check_digit(&format!("0{cp}{reference}"))?),
        "gdti" => format!("253/{}", with_check_digit(&format!("{cp}{reference}"))?),
        _ => format!("255/{}", with_check_digit(&format!("{cp}{reference}"))?),
    })
}

fn pattern_path(scheme: &str, body: &str) -> Option<String> {
    let stem = body.strip_suffix(".*")?;
    match scheme {
        "sgtin" | "upui" => {
            let [cp, reference] = parts(stem)?;
            Some(format!("01/{}", gtin(cp, reference)?))
        }
        "grai" | "gdti" | "sgcn" => {
            let [cp, reference] = parts(stem)?;
            keyed_class(scheme, cp, reference)
        }
        "cpi" => {
            let [cp, reference] = parts(stem)?;
            Some(format!("8010/{cp}{}", escaped(reference)))
        }
        "itip" => {
            let [cp, ir, piece, total] = parts(stem)?;
            Some(format!("8006/{}{piece}{total}", gtin(cp, ir)?))
        }
        _ => None,
    }
}

/// Primary keys, by AI, and their short names.
const KEYS: [(&str, &str); 14] = [
    ("00", "sscc"),
    ("01", "gtin"),
    ("253", "gdti"),
    ("255", "gcn"),
    ("401", "ginc"),
    ("402", "gsin"),
    ("414", "gln"),
    ("417", "party"),
    ("8003", "grai"),
    ("8004", "giai"),
    ("8006", "itip"),
    ("8010", "cpid"),
    ("8017", "gsrnp"),
    ("8018", "gsrn"),
];

fn key_ai(segment: &str) -> Option<&'static str> {
    KEYS.iter()
        .find(|(ai, name)| *ai == segment || *name == segment)
        .map(|(ai, _)| *ai)
}

fn qualifier_ai(segment: &str) -> &str {
    match segment {
        "lot" => "10",
        "ser" => "21",
        "cpv" => "22",
        other => other,
    }
}

fn from_digital_link(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))?;
    let rest = rest.split(['?', '#']).next()?;
    let (_host, path) = rest.split_once('/')?;
    let segments: Vec<&str> = path.split('/').collect();
    let start = (0..segments.len()).find(|&i| {
        key_ai(segments.get(i).copied().unwrap_or_default()).is_some()
            && segments
                .get(i + 1)
                .is_some_and(|v| v.len() >= 4 && v.bytes().take(4).all(|b| b.is_ascii_digit()))
    })?;
    let tail = segments.get(start..)?;
    if tail.len() % 2 != 0 {
        return None;
    }
    let mut pairs: Vec<(&str, String)> = tail
        .chunks(2)
        .filter_map(|pair| match pair {
            [ai, value] => Some((*ai, (*value).to_string())),
            _ => None,
        })
        .collect();
    let key = key_ai(pairs.first()?.0)?;
    if let Some(first) = pairs.first_mut() {
        first.0 = key;
        let digits = first.1.bytes().all(|b| b.is_ascii_digit());
        // A GTIN has 8, 12, 13 or 14 digits, an ITIP 18; the reference implementation
        // leaves links with other lengths unchanged.
        match (key, first.1.len()) {
            ("01", 8 | 12 | 13) if digits => first.1 = format!("{:0>14}", first.1),
            ("01", 14) | ("8006", 18) if digits => {}
            ("01" | "8006", _) => return None,
            _ => {}
        }
    }
    for pair in pairs.iter_mut().skip(1) {
        pair.0 = qualifier_ai(pair.0);
    }
    pairs.retain(|(ai, _)| *ai != "22");
    if pairs.iter().any(|(ai, _)| *ai == "21") {
        pairs.retain(|(ai, _)| *ai != "10");
    }
    let qualifiers: Vec<&str> = pairs.iter().skip(1).map(|(ai, _)| *ai).collect();
    let allowed = matches!(
        (key, qualifiers.as_slice()),
        (_, [])
            | ("01", ["21" | "10" | "235"])
            | ("8006", ["21" | "10"])
            | ("414", ["254"])
            | ("8010", ["8011"])
    );
    if !allowed {
        return None;
    }
    let path: Vec<String> = pairs.iter().map(|(ai, v)| format!("{ai}/{v}")).collect();
    Some(format!("{BASE}{}", path.join("/")))
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn epc_urns_follow_the_table() {
        let cases = [
            (
                "urn:epc:id:sgtin:4012345.011111.1002",
                "01/04012345111118/21/1002",
            ),
            (
                "urn:epc:id:sscc:4012345.0000000111",
                "00/040123450000001112",
            ),
            ("urn:epc:id:sgln:4012345.00001.0", "414/4012345000016"),
            (
                "urn:epc:id:sgln:4012345.00001.12",
                "414/4012345000016/254/12",
            ),
            ("urn:epc:id:pgln:4012345.00225", "417/4012345002256"),
            ("urn:epc:id:giai:4012345.SENSOR1", "8004/4012345SENSOR1"),
            (
                "urn:epc:id:gdti:0614141.00001.1618034",
                "253/06141410000121618034",
            ),
            (
                "urn:epc:id:gsrn:0614141.0000010253",
                "8018/061414100000102534",
            ),
            (
                "urn:epc:class:lgtin:4012345.099999.L1",
                "01/04012345999990/10/L1",
            ),
            ("urn:epc:idpat:sgtin:4012345.066666.*", "01/04012345666663"),
            (
                "urn:epc:id:sgtin:4012345.011111.a!b%2Fc",
                "01/04012345111118/21/a%21b%2Fc",
            ),
        ];
        for (urn, path) in cases {
            assert_eq!(
                canonical(urn),
                format!("https://id.gs1.org/{path}"),
                "{urn}"
            );
        }
    }

    #[test]
    fn digital_links_are_constrained_and_rehosted() {
        let cases = [
            (
                "https://example.com/gtin/4012345111118/ser/1001?linkType=all",
                "https://id.gs1.org/01/04012345111118/21/1001",
            ),
            (
                "https://id.gs1.org/01/09506000134352/10/ABC/21/123/22/2A",
                "https://id.gs1.org/01/09506000134352/21/123",
            ),
            (
                "https://example.org/8004/401234599999",
                "https://id.gs1.org/8004/401234599999",
            ),
            // An attribute after the key is not in the constrained form: kept as written.
            (
                "https://example.com/01/09506000134352/17/251231",
                "https://example.com/01/09506000134352/17/251231",
            ),
            (
                "http://transaction.acme.com/po/12345678",
                "http://transaction.acme.com/po/12345678",
            ),
            (
                "urn:epcglobal:cbv:bt:0614141073467:1152",
                "urn:epcglobal:cbv:bt:0614141073467:1152",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(canonical(input), expected, "{input}");
        }
    }
}
