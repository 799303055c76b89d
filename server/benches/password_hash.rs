//! One argon2id hash and one verification with ClassKeys's parameters
//! (m = 19 MiB, t = 2, p = 1). Compare with Debian's reference `argon2`
//! command using `bench/argon2-reference.sh`.

use criterion::{criterion_group, criterion_main, Criterion};

use app::passwords::hashing::{argon2id, hash_blocking};
use password_hash::{PasswordHash, PasswordVerifier};

fn password_hashing(c: &mut Criterion) {
    let mut group = c.benchmark_group("argon2id m=19MiB t=2 p=1");
    group.sample_size(30);
    group.bench_function("hash", |b| b.iter(|| hash_blocking("greenfox47").unwrap()));
    let stored = hash_blocking("greenfox47").unwrap().0;
    let parsed = PasswordHash::new(&stored).unwrap();
    group.bench_function("verify", |b| {
        b.iter(|| argon2id().verify_password(b"greenfox47", &parsed).is_ok())
    });
    group.finish();
}

criterion_group!(benches, password_hashing);
criterion_main!(benches);
