//! Exam mode's state: questions drawn with a seed, each on its own cluster and context as in
//! the real exam; a countdown with warnings at 15, 5 and 1 minutes; flags and free
//! navigation; grading only at submit or time-out; the report against the 66 % pass mark.

use kubedrill_scenario::Report;
use std::collections::BTreeMap;

use super::app::Started;

/// The CKA's pass mark, percent.
pub const PASS_MARK: u32 = 66;
/// Minutes remaining at which the learner is warned.
pub const WARNINGS: [u64; 3] = [15, 5, 1];

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub started: Started,
    pub weight: u32,
    pub flagged: bool,
    /// Seconds this question was on screen.
    pub seconds: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    /// Per question: the report, or why it could not be graded (scores zero).
    pub reports: Vec<Result<Report, String>>,
    /// Weighted total, percent.
    pub total: u32,
}

impl Graded {
    pub fn new(questions: &[Question], reports: Vec<Result<Report, String>>) -> Graded {
        let weights: u32 = questions.iter().map(|q| q.weight).sum::<u32>().max(1);
        let got: u32 = questions
            .iter()
            .zip(&reports)
            .map(|(q, r)| r.as_ref().map_or(0, |r| r.score() * q.weight))
            .sum();
        Graded {
            reports,
            total: got / weights,
        }
    }

    pub fn passed(&self) -> bool {
        self.total >= PASS_MARK
    }

    /// Per domain: (points scored, points possible), weighted by the questions' weights.
    pub fn by_domain(&self, questions: &[Question]) -> BTreeMap<String, (u32, u32)> {
        let mut m: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        for (q, r) in questions.iter().zip(&self.reports) {
            let e = m.entry(q.started.domain.clone()).or_default();
            e.0 += r.as_ref().map_or(0, |r| r.score() * q.weight);
            e.1 += 100 * q.weight;
        }
        m
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exam {
    pub questions: Vec<Question>,
    pub current: usize,
    /// App clock (seconds) when time is up.
    pub deadline: u64,
    pub minutes: u64,
    /// Warnings already given (minutes).
    pub warned: Vec<u64>,
    pub graded: Option<Graded>,
    /// Submitted, waiting for the grades.
    pub grading: bool,
}

impl Exam {
    pub fn remaining(&self, now: u64) -> u64 {
        self.deadline.saturating_sub(now)
    }
}
