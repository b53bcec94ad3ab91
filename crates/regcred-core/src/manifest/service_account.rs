//! `ServiceAccount` changes that keep what is already there.
//!
//! A strategic-merge or merge patch of `imagePullSecrets` replaces the whole list (the field has no
//! merge key), silently dropping the entries other teams added. The only safe changes are the
//! patched object itself, built from the current one, or a JSON patch that appends.

use serde::Serialize;
use serde_json::{Value, json};

use super::{Error, Result};
use crate::finding::Finding;

/// Appends `{name: secret}` to the `imagePullSecrets` of `account`, a `ServiceAccount` as JSON
/// (`kubectl get serviceaccount -o json`, or the fields of a live object), once: existing entries
/// stay in their order, the list is created when absent or null, and every other field, known to
/// this crate's Kubernetes version or not, stays as it is. Returns whether anything changed.
///
/// Working on the JSON rather than a typed `ServiceAccount` matters: the object goes back whole
/// (`kubectl replace`, a replace call), and a typed round trip would drop any field that a newer
/// API server has and this crate does not know.
///
/// # Errors
/// [`Error::Invalid`] when `account` is not an object or its `imagePullSecrets` is not a list.
pub fn patch_service_account(account: &mut Value, secret: &str) -> Result<bool> {
    let not_a_list = |what: &str| {
        Error::Invalid(
            Finding::error(
                "sa-pull-secrets-not-a-list",
                format!("{what}; nothing was changed"),
            )
            .with_field("imagePullSecrets")
            .with_fix("give the object as `kubectl get serviceaccount NAME -o json` prints it"),
        )
    };
    let Some(fields) = account.as_object_mut() else {
        return Err(not_a_list("the ServiceAccount is not an object"));
    };
    let list = fields.entry("imagePullSecrets").or_insert(Value::Null);
    if list.is_null() {
        *list = Value::Array(Vec::new());
    }
    let Some(entries) = list.as_array_mut() else {
        return Err(not_a_list(&format!(
            "imagePullSecrets is {}, not a list of {{name: SECRET}}",
            json_kind(list)
        )));
    };
    if entries
        .iter()
        .any(|entry| entry.get("name").and_then(Value::as_str) == Some(secret))
    {
        return Ok(false);
    }
    entries.push(json!({ "name": secret }));
    Ok(true)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
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

    fn patched(mut account: Value, secret: &str) -> (Value, bool) {
        let changed = patch_service_account(&mut account, secret).unwrap();
        (account, changed)
    }

    #[test]
    fn existing_entries_are_kept_and_the_secret_appended() {
        let account = json!({"kind": "ServiceAccount", "imagePullSecrets": [{"name": "old-cred"}]});
        let (account, changed) = patched(account, "regcred");
        assert!(changed);
        assert_eq!(
            account["imagePullSecrets"],
            json!([{"name": "old-cred"}, {"name": "regcred"}])
        );
    }

    #[test]
    fn secret_already_listed_is_not_added_twice() {
        let account = json!({"imagePullSecrets": [{"name": "regcred"}, {"name": "old"}]});
        let (after, changed) = patched(account.clone(), "regcred");
        assert!(!changed);
        assert_eq!(after, account);
    }

    #[test]
    fn missing_or_null_list_is_created() {
        for account in [json!({}), json!({"imagePullSecrets": null})] {
            let (account, changed) = patched(account, "regcred");
            assert!(changed);
            assert_eq!(account["imagePullSecrets"], json!([{"name": "regcred"}]));
        }
    }

    #[test]
    fn fields_unknown_to_this_crate_and_odd_entries_are_kept() {
        let account = json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "default", "futureMeta": 1},
            "imagePullSecrets": [{"name": "a", "futureRef": true}, {}],
            "futureField": {"x": [1, 2]},
        });
        let (after, changed) = patched(account.clone(), "regcred");
        assert!(changed);
        let mut expected = account;
        expected["imagePullSecrets"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "regcred"}));
        assert_eq!(after, expected);
        let keys: Vec<_> = after.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "apiVersion",
                "kind",
                "metadata",
                "imagePullSecrets",
                "futureField"
            ]
        );
    }

    #[test]
    fn a_list_that_is_not_a_list_is_refused_untouched() {
        for bad in [json!({"imagePullSecrets": "regcred"}), json!([1])] {
            let mut account = bad.clone();
            let error = patch_service_account(&mut account, "regcred").unwrap_err();
            assert!(error.to_string().contains("nothing was changed"), "{error}");
            assert_eq!(account, bad);
        }
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
