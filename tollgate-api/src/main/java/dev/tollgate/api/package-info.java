/**
 * The contract every way into Tollgate shares: the {@link dev.tollgate.api.Action} an agent wants
 * to take, the {@link dev.tollgate.api.Decision} Tollgate returns, sessions and observations, and
 * the {@link dev.tollgate.api.Gate} interface that the in-process engine, the HTTP client and the
 * MCP gateway all implement.
 *
 * <p>All types here are immutable and safe to share between threads. This module has no
 * dependencies; JSON mapping lives with the engine.
 */
package dev.tollgate.api;
