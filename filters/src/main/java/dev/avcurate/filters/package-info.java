/**
 * Scoring and filtering (SPEC §1 steps 1-3): scorers compute and store score columns on
 * {@code clips} from one decode per clip; the threshold stage turns stored scores into
 * {@code keep} and {@code reject_reasons}. Filled by the scoring issue.
 */
package dev.avcurate.filters;
