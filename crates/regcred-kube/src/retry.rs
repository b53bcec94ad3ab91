//! Retries with exponential back-off for throttling, server errors and dropped connections.
//!
//! kube's own retry layer covers 429, 503 and 504; this one also covers 500, 502 and transport
//! errors, and bounds the total number of attempts per request.

use std::future::Future;
use std::time::Duration;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Attempts in total, the first included.
    pub attempts: u32,
    /// Delay before the second attempt; doubled each time.
    pub initial: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            attempts: 5,
            initial: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

impl Backoff {
    /// The delay before attempt `attempt` (1 is the first retry), with up to 25% jitter from
    /// `seed` so concurrent requests do not retry in lock-step.
    pub fn delay(&self, attempt: u32, seed: u64) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let base = self.initial.saturating_mul(factor).min(self.max);
        let jitter_permille = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54; // 0..1023
        // At most 1023: exact in an f64.
        let jitter = f64::from(u32::try_from(jitter_permille).unwrap_or(1023));
        base + base.mul_f64(jitter / 4096.0)
    }
}

/// Whether a failed request is worth trying again: throttling (429), server errors (500, 502,
/// 503, 504) and connections that broke before an answer.
pub fn is_retryable(error: &kube::Error) -> bool {
    match error {
        kube::Error::Api(status) => matches!(status.code, 429 | 500 | 502 | 503 | 504),
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        _ => false,
    }
}

/// Runs `request` until it succeeds, fails for good, or the attempts run out.
///
/// # Errors
/// The last error of `request`.
pub async fn with_backoff<T, F, Fut>(backoff: Backoff, mut request: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    let seed = std::ptr::from_ref(&request) as u64;
    let mut attempt = 0;
    loop {
        match request().await {
            Err(error) if is_retryable(&error) && attempt + 1 < backoff.attempts => {
                attempt += 1;
                let delay = backoff.delay(attempt, seed.wrapping_add(u64::from(attempt)));
                tracing::debug!(attempt, ?delay, %error, "retrying");
                tokio::time::sleep(delay).await;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn api_error(code: u16) -> kube::Error {
        kube::Error::Api(
            kube::core::Status::failure("x", "y")
                .with_code(code)
                .boxed(),
        )
    }

    #[test]
    fn throttling_and_server_errors_are_retried_client_errors_are_not() {
        for code in [429, 500, 502, 503, 504] {
            assert!(is_retryable(&api_error(code)), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422] {
            assert!(!is_retryable(&api_error(code)), "{code}");
        }
    }

    #[test]
    fn delays_double_up_to_the_cap() {
        let backoff = Backoff {
            attempts: 10,
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let d1 = backoff.delay(1, 0);
        let d2 = backoff.delay(2, 0);
        let d9 = backoff.delay(9, 7);
        assert_eq!(d1, Duration::from_millis(100));
        assert_eq!(d2, Duration::from_millis(200));
        assert!(d9 >= Duration::from_secs(1) && d9 <= Duration::from_millis(1250));
    }

    #[tokio::test(start_paused = true)]
    async fn throttled_request_succeeds_on_a_later_attempt() {
        let calls = AtomicU32::new(0);
        let result = with_backoff(Backoff::default(), || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(api_error(429)),
                1 => Err(api_error(500)),
                _ => Ok("done"),
            }
        })
        .await;
        assert_eq!(result.unwrap(), "done");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn attempts_are_bounded_and_the_last_error_returned() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_backoff(Backoff::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api_error(503))
        })
        .await;
        assert!(matches!(result, Err(kube::Error::Api(s)) if s.code == 503));
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn forbidden_is_not_retried() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = with_backoff(Backoff::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(api_error(403))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
