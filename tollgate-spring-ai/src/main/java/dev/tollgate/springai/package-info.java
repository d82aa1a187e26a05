/**
 * Spring AI tools gated by Tollgate: {@link dev.tollgate.springai.TollgateTools} wraps {@code
 * ToolCallback}s and {@code ToolCallbackProvider}s so that every call is decided by a {@link
 * dev.tollgate.api.Gate} before it runs.
 */
package dev.tollgate.springai;
