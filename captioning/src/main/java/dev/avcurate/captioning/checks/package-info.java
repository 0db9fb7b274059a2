/**
 * Caption checks: pure functions from a VLM's raw caption (and its finish reason) to a cleaned caption,
 * the codes it fails and whether it is kept. No Spark here, so the rules are unit-tested on strings and
 * the captioning stage only maps rows through {@link dev.avcurate.captioning.checks.CaptionChecks}.
 */
package dev.avcurate.captioning.checks;
