//! A certificate authority and a registry server certificate, made fresh for each run.

use std::net::{IpAddr, Ipv4Addr};

use anyhow::Context as _;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};

/// PEM texts for one run: the CA clients trust and the server's certificate and key.
///
/// Every field is PEM text.
pub struct Tls {
    /// The CA certificate (public).
    pub ca: String,
    /// The registry's certificate, signed by the CA.
    pub server_cert: String,
    /// The registry's private key.
    pub server_key: String,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls").finish_non_exhaustive()
    }
}

impl Tls {
    /// A new CA and a server certificate for loopback (`127.0.0.1`, `localhost`) and `names`
    /// (the host names nodes dial).
    ///
    /// # Errors
    /// A name is not valid in a certificate.
    pub fn generate(names: &[String]) -> anyhow::Result<Self> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "regcred e2e test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let mut dns_names = vec!["localhost".to_owned()];
        dns_names.extend(names.iter().cloned());
        let server_key = KeyPair::generate()?;
        let mut params = CertificateParams::new(dns_names.clone())
            .with_context(|| format!("invalid certificate names {dns_names:?}"))?;
        params
            .subject_alt_names
            .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        params
            .distinguished_name
            .push(DnType::CommonName, "regcred e2e registry");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let server_cert = params.signed_by(&server_key, &issuer)?;

        Ok(Self {
            ca: ca_cert.pem(),
            server_cert: server_cert.pem(),
            server_key: server_key.serialize_pem(),
        })
    }
}
