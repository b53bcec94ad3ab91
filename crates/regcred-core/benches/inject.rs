//! `just bench`: times `inject` on generated manifest sets of 1,000 to 100,000 documents and
//! compares it with `kubectl kustomize` applying the equivalent JSON patch to every Deployment.
//!
//! Arguments (after `--`): `--no-kustomize` skips kubectl; `--enforce` exits 1 when the cost
//! does not grow linearly (per-document cost at 100,000 more than twice that at 1,000) or
//! 10,000 documents take more than a second.

#![allow(
    clippy::print_stdout,
    reason = "a benchmark reports on standard output"
)]
#![allow(
    clippy::cast_precision_loss,
    reason = "sizes and durations far below 2^52"
)]

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use regcred_core::inject::{InjectOptions, inject};

const SIZES: [usize; 4] = [1_000, 3_000, 10_000, 100_000];
const KUSTOMIZE_SIZES: [usize; 2] = [1_000, 3_000];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let with_kustomize = !args.iter().any(|a| a == "--no-kustomize");
    let enforce = args.iter().any(|a| a == "--enforce");

    println!(
        "| documents | MB | inject, all kinds (median) | per 1,000 docs | inject, Deployments only | kubectl kustomize | kustomize / inject |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut per_doc = Vec::new();
    let mut at_10k = None;
    for size in SIZES {
        let text = manifests(size);
        let runs = if size >= 100_000 { 3 } else { 7 };
        let all = median(runs, || check_all(&text, size));
        let deployments = median(runs, || check_deployments(&text, size));
        let kustomize = (with_kustomize && KUSTOMIZE_SIZES.contains(&size))
            .then(|| kustomize(&text, size))
            .flatten();
        per_doc.push((size, all.as_secs_f64() / size as f64));
        if size == 10_000 {
            at_10k = Some(all);
        }
        println!(
            "| {size} | {:.1} | {} | {} | {} | {} | {} |",
            text.len() as f64 / 1e6,
            ms(all),
            ms(all * 1000 / u32::try_from(size).unwrap_or(u32::MAX)),
            ms(deployments),
            kustomize.map_or_else(|| "not run".to_owned(), ms),
            kustomize.map_or_else(
                || "-".to_owned(),
                |k| format!("{:.0}x", k.as_secs_f64() / deployments.as_secs_f64())
            ),
        );
    }

    let (first, last) = (per_doc[0].1, per_doc[per_doc.len() - 1].1);
    let growth = last / first;
    println!();
    println!(
        "per-document cost at {} docs / at {} docs: {growth:.2} (1.00 = linear)",
        per_doc[per_doc.len() - 1].0,
        per_doc[0].0
    );
    let within_second = at_10k.is_some_and(|t| t <= Duration::from_secs(1));
    println!(
        "10,000 documents in at most 1 s: {}",
        if within_second { "yes" } else { "NO" }
    );
    if enforce && (growth > 2.0 || !within_second) {
        std::process::exit(1);
    }
}

/// Runs `inject` with default options and checks it did the work.
fn check_all(text: &str, size: usize) {
    let out = inject(text, &InjectOptions::new("regcred")).expect("generated manifests inject");
    assert_eq!(out.changes.len() + out.unchanged.len(), pod_specs(size));
}

/// Runs `inject` limited to Deployments, the same work as the kustomize patch.
fn check_deployments(text: &str, size: usize) {
    let opts = InjectOptions::new("regcred").with_kinds(["Deployment"]);
    let out = inject(text, &opts).expect("generated manifests inject");
    assert_eq!(out.changes.len() + out.unchanged.len(), deployments(size));
}

fn median(runs: usize, mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms >= 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.1} ms")
    }
}

/// `kubectl kustomize` on the same documents with a JSON patch on every Deployment, once.
fn kustomize(text: &str, size: usize) -> Option<Duration> {
    let dir = std::env::temp_dir().join(format!(
        "regcred-bench-kustomize-{}-{size}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::write(dir.join("manifests.yaml"), text).ok()?;
    std::fs::write(dir.join("kustomization.yaml"), KUSTOMIZATION).ok()?;
    let start = Instant::now();
    let output = Command::new("kubectl").arg("kustomize").arg(&dir).output();
    let elapsed = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            println!(
                "kubectl kustomize failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return None;
        }
        Err(error) => {
            println!("kubectl kustomize skipped: {error}");
            return None;
        }
    };
    let patched = String::from_utf8_lossy(&output.stdout)
        .matches("- name: regcred")
        .count();
    assert_eq!(
        patched,
        deployments(size),
        "kustomize did not patch every Deployment"
    );
    Some(elapsed)
}

const KUSTOMIZATION: &str = "\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- manifests.yaml
patches:
- target:
    kind: Deployment
  patch: |-
    - op: add
      path: /spec/template/spec/imagePullSecrets
      value:
      - name: regcred
";

/// Which kind document `i` is: mostly `Deployment`s, with `Service`s, `ConfigMap`s and `CronJob`s.
fn kind_of(i: usize) -> &'static str {
    match i % 8 {
        1 | 5 => "Service",
        3 => "ConfigMap",
        7 => "CronJob",
        _ => "Deployment",
    }
}

fn deployments(size: usize) -> usize {
    (0..size).filter(|&i| kind_of(i) == "Deployment").count()
}

fn pod_specs(size: usize) -> usize {
    (0..size)
        .filter(|&i| matches!(kind_of(i), "Deployment" | "CronJob"))
        .count()
}

/// `size` documents of about 500 bytes each, in the layouts Helm and kubectl write.
fn manifests(size: usize) -> String {
    let mut out = String::with_capacity(size * 520);
    for i in 0..size {
        let app = format!("app-{i}");
        out.push_str("---\n");
        let _ = match kind_of(i) {
            "Service" => write!(
                out,
                "# Source: chart/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  labels:\n    app.kubernetes.io/name: {app}\nspec:\n  type: ClusterIP\n  ports:\n    - port: 80\n      targetPort: http\n      protocol: TCP\n      name: http\n  selector:\n    app.kubernetes.io/name: {app}\n"
            ),
            "ConfigMap" => write!(
                out,
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\ndata:\n  settings.yaml: |\n    level: info\n    # a comment inside a block scalar\n    retries: 3\n"
            ),
            "CronJob" => write!(
                out,
                "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {app}\nspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: job\n            image: registry.example.com/team/{app}:1.0.{i}\n            args: [\"--once\"]\n"
            ),
            _ => write!(
                out,
                "# Source: chart/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  labels:\n    app.kubernetes.io/name: {app}\n    app.kubernetes.io/instance: release # set by helm\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {app}\n    spec:\n      containers:\n        - name: main\n          image: \"registry.example.com/team/{app}:1.0.{i}\"\n          ports:\n            - containerPort: 8080\n              name: http\n          env:\n            - name: LOG_LEVEL\n              value: \"info\"\n          resources: {{limits: {{memory: 128Mi}}}}\n"
            ),
        };
    }
    out
}
