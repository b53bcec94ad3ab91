//! Behaviour of `inject::inject` on small inputs, with the exact expected text.

use regcred_core::inject::{Error, InjectOptions, inject};

fn injected(input: &str) -> String {
    inject(input, &InjectOptions::new("regcred")).unwrap().text
}

#[test]
fn deployment_without_list_gets_a_key_at_pod_spec_indentation() {
    let input = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
";
    let expected = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx
      imagePullSecrets:
      - name: regcred
";
    assert_eq!(injected(input), expected);
}
