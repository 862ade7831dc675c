//! A source of "random" bytes that hands out a fixed script (feature
//! `test-support`): with it, `DjangoKeyIssuer` issues a key a test can name
//! in advance. Never for production: every key it makes is known.

use std::sync::Mutex;

use otas_ports::KeyIssuingError;

use crate::key_issuer::RandomSource;

/// Hands out its script's bytes in order, starting over after the last.
#[derive(Debug)]
pub struct ScriptedRandom {
    script: Vec<u8>,
    next: Mutex<usize>,
}

impl ScriptedRandom {
    /// A source that gives `script`, again and again; an empty script gives
    /// zeros.
    pub fn new(script: Vec<u8>) -> Self {
        Self {
            script,
            next: Mutex::new(0),
        }
    }
}

impl RandomSource for ScriptedRandom {
    fn fill(&self, dest: &mut [u8]) -> Result<(), KeyIssuingError> {
        let mut next = self
            .next
            .lock()
            .map_err(|_| KeyIssuingError::Randomness("scripted source poisoned".to_owned()))?;
        for byte in dest.iter_mut() {
            *byte = self.script.get(*next).copied().unwrap_or(0);
            *next = (*next + 1) % self.script.len().max(1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_handed_out_in_order_and_starts_over() {
        let source = ScriptedRandom::new(vec![1, 2, 3]);
        let (mut first, mut second) = ([0; 2], [0; 4]);

        source.fill(&mut first).expect("bytes");
        source.fill(&mut second).expect("bytes");

        assert_eq!((first, second), ([1, 2], [3, 1, 2, 3]));
    }
}
