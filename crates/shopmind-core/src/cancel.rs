//! Cooperative cancellation for long computations.
//!
//! An engine cannot be stopped from outside: a thread running a model fit
//! runs to the end unless the fit itself looks up now and then and stops.
//! [`Cancel`] is what it looks at: a flag someone else may raise (a request
//! that was abandoned, a server that is shutting down), optionally a parent
//! flag shared by many tokens, and optionally a deadline. Checks are an
//! atomic load and, with a deadline, a clock read: cheap enough to make
//! once per fold, per series or per item.
//!
//! ```
//! use shopmind_core::cancel::Cancel;
//! let server = Cancel::new();
//! let request = server.child();
//! assert!(request.check().is_ok());
//! server.cancel(); // shutting down: every child stops too
//! assert!(request.check().is_err());
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Why a computation stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Cancelled {
    /// Someone raised the flag (the caller went away, or shutdown).
    #[error("the computation was cancelled")]
    Stopped,
    /// The deadline passed.
    #[error("the computation ran out of time")]
    OutOfTime,
}

/// A cancellation token: clone it freely; all clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct Cancel {
    flag: Arc<AtomicBool>,
    parent: Option<Arc<AtomicBool>>,
    deadline: Option<Instant>,
}

impl Cancel {
    /// A token nobody has cancelled, without a deadline.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// A token that never stops (for callers with nothing to cancel).
    pub fn never() -> Cancel {
        Cancel::default()
    }

    /// A new token that also stops when this one does (one level: a child
    /// of a child follows its own parent's flag only).
    pub fn child(&self) -> Cancel {
        Cancel {
            flag: Arc::new(AtomicBool::new(false)),
            parent: Some(self.flag.clone()),
            deadline: self.deadline,
        }
    }

    /// The same token with a deadline (the earlier of this and any existing one).
    pub fn with_deadline(mut self, at: Instant) -> Cancel {
        self.deadline = Some(self.deadline.map_or(at, |d| d.min(at)));
        self
    }

    /// Raises the flag: every clone and child sees it.
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Release);
    }

    /// Whether the computation should stop.
    pub fn is_cancelled(&self) -> bool {
        self.check().is_err()
    }

    /// `Err` when the computation should stop, saying why.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.flag.load(Ordering::Acquire)
            || self
                .parent
                .as_ref()
                .is_some_and(|p| p.load(Ordering::Acquire))
        {
            return Err(Cancelled::Stopped);
        }
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(Cancelled::OutOfTime),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn flags_parents_and_deadlines() {
        let a = Cancel::new();
        let b = a.clone();
        assert_eq!(b.check(), Ok(()));
        a.cancel();
        assert_eq!(b.check(), Err(Cancelled::Stopped));

        let parent = Cancel::new();
        let child = parent.child();
        child.cancel();
        assert!(parent.check().is_ok(), "a child does not stop its parent");
        let sibling = parent.child();
        parent.cancel();
        assert_eq!(sibling.check(), Err(Cancelled::Stopped));

        let past = Cancel::new().with_deadline(Instant::now());
        assert_eq!(past.check(), Err(Cancelled::OutOfTime));
        let later = Instant::now() + Duration::from_secs(3600);
        let soon = Instant::now();
        let t = Cancel::new().with_deadline(later).with_deadline(soon);
        assert_eq!(
            t.check(),
            Err(Cancelled::OutOfTime),
            "the earlier deadline wins"
        );
        assert_eq!(Cancel::never().check(), Ok(()));
    }
}
