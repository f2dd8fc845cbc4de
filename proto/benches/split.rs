use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::string::ToString;
use trace_proto::epc::Epc;
fn epc(c: &mut Criterion) {
    let hex = "3074257BF7194E4000001A85";
    c.bench_function("decode_only", |b| {
        b.iter(|| Epc::from_hex(black_box(hex)).is_ok())
    });
    let tag = Epc::from_hex(hex).unwrap();
    c.bench_function("format_only", |b| {
        b.iter(|| black_box(&tag).identity().to_string())
    });
}
criterion_group!(benches, epc);
criterion_main!(benches);
