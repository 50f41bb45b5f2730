//! The chapter example's output holds the chapter's three printed blocks
//! character for character (`tests/fixtures/chapter4_expected.txt`, copied
//! from the chapter's text).

#[path = "../../examples/chapter4.rs"]
mod example;

#[test]
fn example_prints_the_chapters_three_blocks() {
    let out = example::chapter_output().unwrap();
    let expected = include_str!("../fixtures/chapter4_expected.txt");
    let blocks: Vec<&str> = expected.split("\n\n").map(str::trim).collect();
    assert_eq!(blocks.len(), 3);
    let mut rest = out.as_str();
    for (i, block) in blocks.iter().enumerate() {
        let at = rest.find(block).unwrap_or_else(|| {
            panic!(
                "block {} not found in order:\n{block}\n--- output:\n{out}",
                i + 1
            )
        });
        rest = &rest[at + block.len()..];
    }
}

#[test]
fn example_reports_argmax_counts_and_accuracy() {
    let out = example::chapter_output().unwrap();
    let counts = out
        .lines()
        .find(|l| l.starts_with("predicted class counts:"))
        .unwrap();
    let accuracy = out.lines().find(|l| l.starts_with("accuracy:")).unwrap();
    // The counts add up to the 300 samples.
    let inside = &counts[counts.find('[').unwrap() + 1..counts.find(']').unwrap()];
    let total: usize = inside
        .split(", ")
        .map(|v| v.parse::<usize>().unwrap())
        .sum();
    assert_eq!(total, 300);
    assert!(accuracy.contains("/300"));
}
