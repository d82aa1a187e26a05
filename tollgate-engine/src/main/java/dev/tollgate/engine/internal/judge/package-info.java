/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>Judge: the optional outside opinion policies read as {@code judge}, asked of a language model
 * behind an OpenAI-compatible chat endpoint ({@link dev.tollgate.engine.internal.judge.ChatJudge}).
 * The only I/O a decision may do, handed to decide through {@link
 * dev.tollgate.engine.internal.decide.Judge}.
 */
package dev.tollgate.engine.internal.judge;
