/**
 * The store's roles, as small interfaces whose javadoc states what every implementation must
 * guarantee: the audit log ({@link dev.tollgate.api.store.AuditLog}), sessions ({@link
 * dev.tollgate.api.store.SessionStore}), agent credentials ({@link
 * dev.tollgate.api.store.CredentialStore}), approvals and grants ({@link
 * dev.tollgate.api.store.ApprovalStore}), people ({@link dev.tollgate.api.store.PeopleStore}) and
 * calls by request id ({@link dev.tollgate.api.store.RequestStore}), gathered by {@link
 * dev.tollgate.api.store.Store}.
 *
 * <p>Implementations: the embedded SQLite store (the default) and PostgreSQL, which several
 * Tollgate instances share. Both run the same contract tests. Any failure to reach the store is a
 * {@link dev.tollgate.api.store.StoreUnavailableException}, which callers turn into a deny.
 */
package dev.tollgate.api.store;
