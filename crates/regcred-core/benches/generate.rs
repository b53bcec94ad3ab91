//! Core throughput: building configs, whole bundles, and inspecting Secrets.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use regcred_core::dockerconfig::{Credentials, build_dockerconfigjson};
use regcred_core::manifest::{self, BundleSpec, WorkloadSpec};

fn registries() -> Vec<Credentials> {
    vec![Credentials::new(
        "registry.cloudraya.com",
        "cr-registry",
        "pässwörd<&>\u{2028}S3cr3t",
    )]
}

fn bundle_spec() -> BundleSpec {
    let mut spec = BundleSpec::new("cr-registry-secret", registries());
    spec.namespaces = (0..10).map(|i| format!("team-{i}")).collect();
    spec.workload = Some(WorkloadSpec {
        name: "my-app".into(),
        image: "registry.cloudraya.com/my-app:v1.0.0".into(),
        replicas: Some(2),
        port: Some(8080),
        ..WorkloadSpec::default()
    });
    spec
}

fn benches(c: &mut Criterion) {
    let creds = registries();
    c.bench_function("dockerconfigjson, one registry", |b| {
        b.iter(|| build_dockerconfigjson(black_box(&creds)).unwrap());
    });
    let spec = bundle_spec();
    c.bench_function("bundle, 10 namespaces with workload", |b| {
        b.iter(|| manifest::generate(black_box(&spec)).unwrap());
    });
    let secret_text = manifest::generate(&spec).unwrap().secrets;
    c.bench_function("inspect, 10 secrets", |b| {
        b.iter(|| regcred_core::inspect::inspect(black_box(&secret_text)).unwrap());
    });
}

criterion_group!(core, benches);
criterion_main!(core);
