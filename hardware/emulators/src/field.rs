//! The RF field of an emulated reader: which tags are in range of which antenna, and what
//! goes wrong on the wire (the fault knobs every emulator honours).

use crate::tag::{Em4100Tag, Gen2Tag, Iso14443aTag, Tag};

/// Antenna a tag enters when none is named.
pub const DEFAULT_ANTENNA: u16 = 1;
/// Received signal strength a tag has when none is named, in dBm.
pub const DEFAULT_RSSI: i8 = -55;

/// One tag in range of one antenna.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTag {
    /// The tag.
    pub tag: Tag,
    /// The antenna (port) that sees it, from 1.
    pub antenna: u16,
    /// Its received signal strength in dBm.
    pub rssi: i8,
}

/// The tags in range, in the order they entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    tags: Vec<FieldTag>,
}

impl Field {
    /// Puts `tag` in range of `antenna`. A tag already there only gets the new RSSI and
    /// keeps its place in the entry order.
    pub fn enter(&mut self, tag: Tag, antenna: u16, rssi: i8) {
        match self
            .tags
            .iter_mut()
            .find(|t| t.tag == tag && t.antenna == antenna)
        {
            Some(present) => present.rssi = rssi,
            None => self.tags.push(FieldTag { tag, antenna, rssi }),
        }
    }

    /// Takes `tag` out of range of `antenna`, or of every antenna when `None`.
    /// Returns how many entries left.
    pub fn leave(&mut self, tag: &Tag, antenna: Option<u16>) -> usize {
        let before = self.tags.len();
        self.tags
            .retain(|t| !(t.tag == *tag && antenna.is_none_or(|a| a == t.antenna)));
        before - self.tags.len()
    }

    /// Empties the field.
    pub fn clear(&mut self) {
        self.tags.clear();
    }

    /// Every tag in range, in entry order.
    pub fn tags(&self) -> &[FieldTag] {
        &self.tags
    }

    /// The EM4100 tags in range, in entry order.
    pub fn em4100(&self) -> impl Iterator<Item = &Em4100Tag> {
        self.tags.iter().filter_map(|t| match &t.tag {
            Tag::Em4100(tag) => Some(tag),
            _ => None,
        })
    }

    /// The ISO 14443-A cards in range (any antenna, each once), in entry order.
    pub fn iso14443a(&self) -> Vec<&Iso14443aTag> {
        let mut cards: Vec<&Iso14443aTag> = Vec::new();
        for t in &self.tags {
            if let Tag::Iso14443a(card) = &t.tag
                && !cards.contains(&card)
            {
                cards.push(card);
            }
        }
        cards
    }

    /// The Gen2 tags in range of `antenna`, with their RSSI, in entry order.
    pub fn gen2_on(&self, antenna: u16) -> impl Iterator<Item = (&Gen2Tag, i8)> {
        self.tags.iter().filter_map(move |t| match &t.tag {
            Tag::Gen2(tag) if t.antenna == antenna => Some((tag, t.rssi)),
            _ => None,
        })
    }
}

/// What goes wrong between the module and its host. A scenario turns these knobs; each
/// emulator applies them at the level its wire has (a byte stream, SPI registers, TCP).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    silent: bool,
    corrupt: u32,
    noise: Vec<u8>,
    dribble: bool,
}

impl Faults {
    /// A silent module ignores its host and sends nothing until it is made to speak again.
    pub fn set_silent(&mut self, silent: bool) {
        self.silent = silent;
    }

    /// Whether the module is silent.
    pub fn is_silent(&self) -> bool {
        self.silent
    }

    /// The next `frames` frames the module sends carry a wrong check value.
    pub fn corrupt_next(&mut self, frames: u32) {
        self.corrupt = self.corrupt.saturating_add(frames);
    }

    /// Frames still to be corrupted.
    pub fn corruptions_pending(&self) -> u32 {
        self.corrupt
    }

    /// Puts `bytes` on the line between two frames.
    pub fn inject_noise(&mut self, bytes: &[u8]) {
        self.noise.extend_from_slice(bytes);
    }

    /// In dribble mode the host gets one byte per read.
    pub fn set_dribble(&mut self, dribble: bool) {
        self.dribble = dribble;
    }

    /// Whether dribble mode is on.
    pub fn is_dribble(&self) -> bool {
        self.dribble
    }

    /// Uses up one corruption, if any is pending.
    pub(crate) fn take_corruption(&mut self) -> bool {
        let pending = self.corrupt > 0;
        self.corrupt = self.corrupt.saturating_sub(1);
        pending
    }

    /// The noise waiting to go on the line.
    pub(crate) fn take_noise(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.noise)
    }
}

/// Anything a scenario can act on: the field and the fault knobs.
pub trait Scene {
    /// The tags in range.
    fn field(&mut self) -> &mut Field;
    /// The fault knobs.
    fn faults(&mut self) -> &mut Faults;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_reentering_keeps_its_place_and_takes_the_new_rssi() {
        let a: Tag = "epc:000000000000000000000001".parse().unwrap();
        let b: Tag = "epc:000000000000000000000002".parse().unwrap();
        let mut field = Field::default();
        field.enter(a.clone(), 1, -60);
        field.enter(b.clone(), 1, -60);
        field.enter(a.clone(), 2, -70);
        field.enter(a.clone(), 1, -40);
        assert_eq!(field.tags().len(), 3);
        assert_eq!(field.tags()[0].rssi, -40);
        assert_eq!(field.leave(&a, Some(2)), 1);
        assert_eq!(field.leave(&a, None), 1);
        assert_eq!(field.tags()[0].tag, b);
    }
}
