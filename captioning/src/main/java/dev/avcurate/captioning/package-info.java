/**
 * Dense captions (SPEC §1 step 4): an OpenAI-compatible VLM client and caption checks, writing
 * the {@code captions} table. Filled by the captioning issue.
 */
package dev.avcurate.captioning;
