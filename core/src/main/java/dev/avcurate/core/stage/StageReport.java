package dev.avcurate.core.stage;

import java.util.Map;

/**
 * What one run of a stage did: counts and seconds under names that go as they are into
 * {@code run-summary.json} ({@code stages.<name>}), and one line for the console.
 */
public record StageReport(String stage, Map<String, Object> summary, String line) {}
