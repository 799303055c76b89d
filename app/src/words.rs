//! Counts in words, for messages a person reads: "1 learner", "2 learners".

/// "1 class", "2 classes", "0 learners".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(counted(1, "class", "classes"), "1 class");
        assert_eq!(counted(2, "class", "classes"), "2 classes");
        assert_eq!(counted(0, "learner", "learners"), "0 learners");
    }
}
