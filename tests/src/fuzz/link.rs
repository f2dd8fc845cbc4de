//! Gateway ↔ firmware link frames.

use trace_proto::link::{
    FrameDecoder, LinkMessage, MAX_FRAME_LEN, ToFirmware, ToGateway, encode_frame,
};

/// Feeds the bytes to both directions' decoders; every frame they accept must encode
/// back to a frame that decodes to the same message.
pub fn link_frames(data: &[u8]) {
    round_trips::<ToGateway>(data);
    round_trips::<ToFirmware>(data);
}

fn round_trips<M: LinkMessage + PartialEq + core::fmt::Debug>(data: &[u8]) {
    let mut decoder = FrameDecoder::<M>::new();
    let frames: Vec<_> = decoder.feed(data).filter_map(Result::ok).collect();
    for frame in frames {
        let mut out = [0u8; MAX_FRAME_LEN];
        let len = match encode_frame(frame.seq, &frame.message, &mut out) {
            Ok(len) => len,
            Err(error) => panic!("a decoded message does not encode: {error}"),
        };
        let mut again = FrameDecoder::<M>::new();
        let decoded: Vec<_> = again.feed(&out[..len]).collect();
        match decoded.as_slice() {
            [Ok(copy)] => {
                assert_eq!(copy.seq, frame.seq);
                assert_eq!(copy.message, frame.message);
            }
            other => panic!("a re-encoded frame decodes to {other:?}"),
        }
    }
}
