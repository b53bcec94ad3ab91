//! `ServiceAccount` changes that keep what is already there.
//!
//! A strategic-merge or merge patch of `imagePullSecrets` replaces the whole list (the field has no
//! merge key), silently dropping the entries other teams added. The only safe changes are the
//! patched object itself, built from the current one, or a JSON patch that appends.

use k8s_openapi::api::core::v1::{LocalObjectReference, ServiceAccount};
use serde::Serialize;
use serde_json::json;

/// The `ServiceAccount` with `secret` appended to `imagePullSecrets` once; existing entries stay in
/// their order, and the list is created when absent. Returns whether anything changed.
pub fn patch_service_account(current: &ServiceAccount, secret: &str) -> (ServiceAccount, bool) {
    let mut patched = current.clone();
    let list = patched.image_pull_secrets.get_or_insert_with(Vec::new);
    if list.iter().any(|entry| entry.name == secret) {
        return (patched, false);
    }
    list.push(LocalObjectReference {
        name: secret.to_owned(),
    });
    (patched, true)
}

/// JSON patches (RFC 6902) that add `secret` without touching existing entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonPatches {
    /// For a `ServiceAccount` that already lists pull secrets: append to the end.
    pub append: String,
    /// For one that lists none: create the list (the append path does not exist there).
    pub create: String,
}

/// The two JSON patches for `secret`.
pub fn json_patches(secret: &str) -> JsonPatches {
    let append =
        json!([{ "op": "add", "path": "/imagePullSecrets/-", "value": { "name": secret } }]);
    let create =
        json!([{ "op": "add", "path": "/imagePullSecrets", "value": [{ "name": secret }] }]);
    JsonPatches {
        append: append.to_string(),
        create: create.to_string(),
    }
}

/// kubectl commands that attach `secret` to `account` in `namespace` without dropping entries.
pub fn kubectl_patch_commands(account: &str, namespace: Option<&str>, secret: &str) -> String {
    let patches = json_patches(secret);
    let ns = namespace.map(|ns| format!(" -n {ns}")).unwrap_or_default();
    let place = namespace
        .map(|ns| format!(" in namespace '{ns}'"))
        .unwrap_or_default();
    // Only one command is live: pasting both JSON patches would let the second replace the list
    // the first appended to, which is exactly the trap this avoids.
    format!(
        "# ServiceAccount '{account}'{place}: attach '{secret}', keeping every entry it lists (safe to repeat)\n\
         kubectl get serviceaccount {account}{ns} -o json | regcred patch-sa --secret {secret} -f - | kubectl replace -f -\n\
         # Without regcred, run ONE of these (`kubectl get serviceaccount {account}{ns} -o yaml` tells which):\n\
         #   it already lists pull secrets, append:\n\
         #   kubectl patch serviceaccount {account}{ns} --type=json -p '{append}'\n\
         #   it lists none yet, create the list:\n\
         #   kubectl patch serviceaccount {account}{ns} --type=json -p '{create}'\n",
        append = patches.append,
        create = patches.create,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account_with(names: &[&str]) -> ServiceAccount {
        ServiceAccount {
            image_pull_secrets: Some(
                names
                    .iter()
                    .map(|n| LocalObjectReference {
                        name: (*n).to_owned(),
                    })
                    .collect(),
            ),
            ..ServiceAccount::default()
        }
    }

    fn names(account: &ServiceAccount) -> Vec<&str> {
        account
            .image_pull_secrets
            .iter()
            .flatten()
            .map(|r| r.name.as_str())
            .collect()
    }

    #[test]
    fn existing_entries_are_kept_and_the_secret_appended() {
        let (patched, changed) = patch_service_account(&account_with(&["old-cred"]), "regcred");
        assert!(changed);
        assert_eq!(names(&patched), ["old-cred", "regcred"]);
    }

    #[test]
    fn secret_already_listed_is_not_added_twice() {
        let (patched, changed) =
            patch_service_account(&account_with(&["regcred", "old"]), "regcred");
        assert!(!changed);
        assert_eq!(names(&patched), ["regcred", "old"]);
    }

    #[test]
    fn missing_list_is_created() {
        let (patched, changed) = patch_service_account(&ServiceAccount::default(), "regcred");
        assert!(changed);
        assert_eq!(names(&patched), ["regcred"]);
    }

    #[test]
    fn json_patches_append_and_create() {
        let patches = json_patches("regcred");
        assert_eq!(
            patches.append,
            r#"[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"regcred"}}]"#
        );
        assert_eq!(
            patches.create,
            r#"[{"op":"add","path":"/imagePullSecrets","value":[{"name":"regcred"}]}]"#
        );
    }
}
