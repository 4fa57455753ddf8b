//! Reading a wasm binary's sections: enough for the build's own checks
//! (`short_names`) and for taking custom sections out of a shipped module.

use crate::Result;

/// `wasm` without the custom sections named in `names` (the `name` section
/// that keeps Rust's function names, `producers`): every other section's
/// bytes are copied as they are, in order.
pub fn without_custom_sections(wasm: &[u8], names: &[&str]) -> Result<Vec<u8>> {
    let mut r = Reader::new(wasm)?;
    let mut out = wasm[..8].to_vec();
    while r.at < wasm.len() {
        let start = r.at;
        let id = r.byte()?;
        let size = r.leb()?;
        let end = r.at.checked_add(size).filter(|e| *e <= wasm.len());
        let end = end.ok_or("a section runs past the end of the wasm")?;
        let custom = if id == 0 { Some(r.name()?) } else { None };
        if !custom.is_some_and(|name| names.contains(&name.as_str())) {
            out.extend_from_slice(&wasm[start..end]);
        }
        r.at = end;
    }
    Ok(out)
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the first section of `wasm`, after its magic and version.
    pub fn new(wasm: &'a [u8]) -> Result<Self> {
        if wasm.get(..4) != Some(b"\0asm") {
            return Err("not a wasm binary".into());
        }
        Ok(Self { bytes: wasm, at: 8 })
    }

    pub fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).ok_or("the wasm ends early")?;
        self.at += 1;
        Ok(b)
    }

    pub fn leb(&mut self) -> Result<usize> {
        let mut value = 0usize;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            value |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("a LEB128 number is too long".into())
    }

    pub fn name(&mut self) -> Result<String> {
        let len = self.leb()?;
        let bytes = self
            .bytes
            .get(self.at..self.at + len)
            .ok_or("the wasm ends early")?;
        self.at += len;
        Ok(String::from_utf8(bytes.to_vec())?)
    }

    pub fn limits(&mut self) -> Result {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 == 1 {
            self.leb()?;
        }
        Ok(())
    }

    pub fn table_and_limits(&mut self) -> Result {
        self.byte()?; // element type
        self.limits()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A section: its id, its size, its bytes.
    fn section(id: u8, body: &[u8]) -> Vec<u8> {
        [&[id, u8::try_from(body.len()).unwrap()], body].concat()
    }

    fn custom(name: &str, body: &[u8]) -> Vec<u8> {
        let mut bytes = vec![u8::try_from(name.len()).unwrap()];
        bytes.extend_from_slice(name.as_bytes());
        bytes.extend_from_slice(body);
        section(0, &bytes)
    }

    #[test]
    fn takes_out_only_the_named_custom_sections() {
        let types = section(1, &[1, 0x60, 0, 0]);
        let names = custom("name", &[1, 2, 3]);
        let producers = custom("producers", &[4]);
        let other = custom("target_features", &[5]);
        let head = [b"\0asm".as_slice(), &[1, 0, 0, 0]].concat();
        let wasm = [head.as_slice(), &types, &names, &other, &producers].concat();
        let stripped = without_custom_sections(&wasm, &["name", "producers"]).unwrap();
        assert_eq!(stripped, [head.as_slice(), &types, &other].concat());
        // Nothing to take out: the same bytes.
        assert_eq!(
            without_custom_sections(&stripped, &["name"]).unwrap(),
            stripped
        );
    }

    #[test]
    fn refuses_what_is_not_a_whole_module() {
        assert!(without_custom_sections(b"nope", &["name"]).is_err());
        let cut = [b"\0asm".as_slice(), &[1, 0, 0, 0], &[1, 9, 1]].concat();
        assert!(without_custom_sections(&cut, &["name"]).is_err());
    }
}
