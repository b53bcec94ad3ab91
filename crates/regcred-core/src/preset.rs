//! Presets for well-known registries: they pre-fill a form, nothing more.
//!
//! A preset never changes how anything is generated; it only suggests a server, a secret name and
//! hints about what each registry expects as user name and password.

use serde::Serialize;

/// What one registry expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    /// Short id for `--preset`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Registry server; contains `<...>` placeholders when it depends on the account.
    pub server: &'static str,
    /// A conventional Secret name.
    pub secret_name: &'static str,
    /// What goes into the username field.
    pub username_hint: &'static str,
    /// What goes into the password field.
    pub password_hint: &'static str,
    /// Anything that bites people with this registry.
    pub notes: &'static str,
}

impl Preset {
    /// Whether the server still has placeholders to fill in.
    pub fn has_placeholder(&self) -> bool {
        self.server.contains('<')
    }
}

const PRESETS: &[Preset] = &[
    Preset {
        id: "cloudraya",
        name: "CloudRaya Container Registry",
        server: "registry.cloudraya.com",
        secret_name: "cr-registry-secret",
        username_hint: "the registry username from the CloudRaya panel (e.g. cr-registry)",
        password_hint: "the registry password from the CloudRaya panel",
        notes: "Patch the default ServiceAccount, use immutable tags, keep one registry per environment and rotate the password periodically.",
    },
    Preset {
        id: "dockerhub",
        name: "Docker Hub",
        server: "https://index.docker.io/v1/",
        secret_name: "dockerhub-secret",
        username_hint: "your Docker Hub user name",
        password_hint: "a personal access token (read-only is enough to pull)",
        notes: "Keys such as registry-1.docker.io or hub.docker.com never match Docker Hub images; keep https://index.docker.io/v1/ or docker.io.",
    },
    Preset {
        id: "ghcr",
        name: "GitHub Container Registry",
        server: "ghcr.io",
        secret_name: "ghcr-secret",
        username_hint: "your GitHub user name",
        password_hint: "a personal access token (classic) with read:packages",
        notes: "Fine-grained tokens cannot read packages yet; use a classic token.",
    },
    Preset {
        id: "gitlab",
        name: "GitLab Container Registry",
        server: "registry.gitlab.com",
        secret_name: "gitlab-registry-secret",
        username_hint: "the deploy token's user name (gitlab+deploy-token-N)",
        password_hint: "the deploy token with read_registry",
        notes: "Self-managed GitLab serves the registry on its own host, often with a port: the key must carry the same port as the images.",
    },
    Preset {
        id: "quay",
        name: "Quay.io",
        server: "quay.io",
        secret_name: "quay-secret",
        username_hint: "a robot account (organization+robotname)",
        password_hint: "the robot account's token",
        notes: "Robot names contain '+', which is fine; they never contain ':'.",
    },
    Preset {
        id: "harbor",
        name: "Harbor",
        server: "<harbor-host>",
        secret_name: "harbor-secret",
        username_hint: "a robot account (robot$project+name)",
        password_hint: "the robot account's secret",
        notes: "Robot names contain '$': read them from a file or stdin, never through a shell string.",
    },
    Preset {
        id: "ecr",
        name: "Amazon ECR",
        server: "<account-id>.dkr.ecr.<region>.amazonaws.com",
        secret_name: "ecr-secret",
        username_hint: "AWS",
        password_hint: "the output of: aws ecr get-login-password --region <region>",
        notes: "ECR passwords expire after 12 hours: rotate on a schedule shorter than that, or use the kubelet's ECR credential provider instead.",
    },
    Preset {
        id: "gar",
        name: "Google Artifact Registry",
        server: "<region>-docker.pkg.dev",
        secret_name: "gar-secret",
        username_hint: "_json_key (service-account key) or oauth2accesstoken",
        password_hint: "the service-account key JSON, or an access token (expires in 1 hour)",
        notes: "With _json_key the password is the whole key file: read it with --password-file.",
    },
    Preset {
        id: "acr",
        name: "Azure Container Registry",
        server: "<registry-name>.azurecr.io",
        secret_name: "acr-secret",
        username_hint: "a service principal's application ID, or a repository-scoped token name",
        password_hint: "the service principal's secret, or the token's password",
        notes: "The identitytoken that 'az acr login' writes is ignored by the kubelet; use a username and password.",
    },
];

/// Every preset, `CloudRaya` first.
pub fn all() -> &'static [Preset] {
    PRESETS
}

/// The preset with this id.
pub fn find(id: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|preset| preset.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate;

    #[test]
    fn every_concrete_preset_server_passes_validation() {
        for preset in all().iter().filter(|p| !p.has_placeholder()) {
            let errors: Vec<_> = validate::check_server(preset.server)
                .into_iter()
                .filter(super::super::finding::Finding::is_error)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", preset.id);
            assert!(validate::check_name("secretName", preset.secret_name).is_empty());
        }
    }

    #[test]
    fn cloudraya_preset_prefills_the_guide_values() {
        let preset = find("cloudraya").unwrap();
        assert_eq!(preset.server, "registry.cloudraya.com");
        assert_eq!(preset.secret_name, "cr-registry-secret");
    }
}
