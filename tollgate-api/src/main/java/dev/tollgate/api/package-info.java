/**
 * The contract every way into Tollgate shares: the {@link dev.tollgate.api.Action} an agent wants
 * to take, the {@link dev.tollgate.api.Decision} Tollgate returns, sessions and observations, and
 * the {@link dev.tollgate.api.Gate} interface that the in-process engine and the HTTP client of the
 * sidecar implement (an MCP gateway is planned and will implement it too; it does not exist yet).
 *
 * <p>All types here are immutable and safe to share between threads. This module has no
 * dependencies; JSON mapping lives in tollgate-json. States are enums, not strings ({@link
 * dev.tollgate.api.Effect}, {@link dev.tollgate.api.ApprovalStatus}), each with the lower-case
 * {@code wireName()} that JSON and the store hold.
 */
package dev.tollgate.api;
