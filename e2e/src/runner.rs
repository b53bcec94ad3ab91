//! The scenario runner: timed steps, each a pass, a failure or a skip, and the closing tally.

use std::fmt::Write as _;
use std::future::Future;
use std::time::{Duration, Instant};

/// No single step may run longer than this, whatever its own waits say.
const STEP_LIMIT: Duration = Duration::from_secs(600);

/// How one step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The step did what it proves.
    Passed,
    /// The step ran and its proof did not hold (or it could not run because an earlier step failed).
    Failed(String),
    /// The step needs something this machine lacks; the reason says what.
    Skipped(String),
}

/// One reported step.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the step proves or prepares.
    pub name: String,
    /// Preparation steps are timed and shown, but counted only when they fail.
    pub is_setup: bool,
    /// The result.
    pub outcome: Outcome,
    /// Wall time.
    pub elapsed: Duration,
}

/// Collects steps as they run and prints each one as it ends.
#[derive(Debug, Default)]
pub struct Runner {
    steps: Vec<Step>,
}

/// The reason a step failed or was skipped, if any.
fn detail(step: &Step) -> Option<&str> {
    match &step.outcome {
        Outcome::Passed => None,
        Outcome::Failed(why) | Outcome::Skipped(why) => Some(why),
    }
}

impl Runner {
    /// Runs a preparation step; `None` when it failed (the failure is counted).
    pub fn setup<'a, T: 'a>(
        &'a mut self,
        name: &'a str,
        work: impl Future<Output = anyhow::Result<T>> + 'a,
    ) -> impl Future<Output = Option<T>> + 'a {
        // Boxed here so the callers' futures stay small however big a step's future is.
        let work = Box::pin(work);
        async move { self.timed(name, true, work).await }
    }

    /// Runs a check: a proof counted as passed or failed.
    pub fn check<'a>(
        &'a mut self,
        name: &'a str,
        work: impl Future<Output = anyhow::Result<()>> + 'a,
    ) -> impl Future<Output = ()> + 'a {
        let work = Box::pin(work);
        async move {
            self.timed(name, false, work).await;
        }
    }

    /// Records checks that could not run because a step they depend on failed.
    pub fn not_run(&mut self, names: &[&str], because: &str) {
        for name in names {
            self.record(Step {
                name: (*name).to_owned(),
                is_setup: false,
                outcome: Outcome::Failed(format!("not run: {because}")),
                elapsed: Duration::ZERO,
            });
        }
    }

    /// Records checks that need something missing here.
    pub fn skip(&mut self, names: &[&str], reason: &str) {
        for name in names {
            self.record(Step {
                name: (*name).to_owned(),
                is_setup: false,
                outcome: Outcome::Skipped(reason.to_owned()),
                elapsed: Duration::ZERO,
            });
        }
    }

    /// The closing line: `N passed, N failed, N skipped`.
    pub fn tally(&self) -> Tally {
        let mut tally = Tally::default();
        for step in &self.steps {
            match (&step.outcome, step.is_setup) {
                (Outcome::Passed, false) => tally.passed += 1,
                (Outcome::Passed, true) => {}
                (Outcome::Failed(_), _) => tally.failed += 1,
                (Outcome::Skipped(_), _) => tally.skipped += 1,
            }
        }
        tally
    }

    async fn timed<T>(
        &mut self,
        name: &str,
        is_setup: bool,
        work: impl Future<Output = anyhow::Result<T>>,
    ) -> Option<T> {
        tracing::info!(step = name, "start");
        let started = Instant::now();
        let result = tokio::time::timeout(STEP_LIMIT, work).await;
        let elapsed = started.elapsed();

        let (outcome, value) = match result {
            Ok(Ok(value)) => (Outcome::Passed, Some(value)),
            Ok(Err(error)) => (Outcome::Failed(format!("{error:#}")), None),
            Err(_) => (
                Outcome::Failed(format!("step exceeded {}s", STEP_LIMIT.as_secs())),
                None,
            ),
        };
        self.record(Step {
            name: name.to_owned(),
            is_setup,
            outcome,
            elapsed,
        });
        value
    }

    fn record(&mut self, step: Step) {
        // A group of checks skipped (or not run) for one reason shows that reason once.
        let repeated = self
            .steps
            .last()
            .and_then(detail)
            .is_some_and(|last| Some(last) == detail(&step));
        report_line(&format_step(&step, !repeated));
        self.steps.push(step);
    }
}

/// Counts of checks by outcome (setup steps count only when they fail).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    /// Checks that held.
    pub passed: usize,
    /// Checks (or setup steps) that failed.
    pub failed: usize,
    /// Checks skipped for a missing tool.
    pub skipped: usize,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// One report line, as printed when a step ends; the failure or skip reason on the next line
/// when `with_detail`.
pub fn format_step(step: &Step, with_detail: bool) -> String {
    let (word, detail) = match &step.outcome {
        Outcome::Passed if step.is_setup => ("ok", None),
        Outcome::Passed => ("PASS", None),
        Outcome::Failed(why) => ("FAIL", Some(why)),
        Outcome::Skipped(why) => ("SKIP", Some(why)),
    };
    let mut line = format!(
        "{word:<4} {:>8.2}s  {}",
        step.elapsed.as_secs_f64(),
        step.name
    );
    if let Some(detail) = detail.filter(|_| with_detail) {
        let _ = write!(line, "\n              {detail}");
    }
    line
}

#[allow(clippy::print_stdout, reason = "the report is this binary's output")]
fn report_line(line: &str) {
    println!("{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(outcome: Outcome, is_setup: bool) -> Step {
        Step {
            name: "x".to_owned(),
            is_setup,
            outcome,
            elapsed: Duration::from_millis(1500),
        }
    }

    #[test]
    fn tally_counts_setup_only_when_it_fails() {
        let runner = Runner {
            steps: vec![
                step(Outcome::Passed, true),
                step(Outcome::Passed, false),
                step(Outcome::Failed("boom".into()), true),
                step(Outcome::Skipped("no kind".into()), false),
            ],
        };

        assert_eq!(runner.tally().to_string(), "1 passed, 1 failed, 1 skipped");
    }

    #[test]
    fn skipped_step_shows_its_reason() {
        let line = format_step(
            &step(Outcome::Skipped("kind is not installed".into()), false),
            true,
        );

        assert!(line.starts_with("SKIP     1.50s  x"), "{line}");
        assert!(line.contains("kind is not installed"), "{line}");
    }

    #[tokio::test]
    async fn failed_check_is_recorded_with_its_cause_chain() {
        let mut runner = Runner::default();

        runner
            .check("fails", async {
                Err(anyhow::anyhow!("inner").context("outer"))
            })
            .await;

        assert_eq!(
            runner.steps[0].outcome,
            Outcome::Failed("outer: inner".into())
        );
    }
}
