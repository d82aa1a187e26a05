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
 *
 * <p>States are typed: an approval's {@link dev.tollgate.api.ApprovalStatus} and {@link
 * dev.tollgate.api.store.ApprovalRecord.Kind}, an audit entry's {@link
 * dev.tollgate.api.store.AuditEntry.Kind} and {@link dev.tollgate.api.Effect}, a grant's {@link
 * dev.tollgate.api.store.GrantRecord.SubjectKind} and {@link
 * dev.tollgate.api.store.GrantRecord.Status}, an observed result's {@link
 * dev.tollgate.api.store.ObservedResult.Trust}. Stores write each as its {@code wireName()}, the
 * lower-case string it was before these types existed, and must refuse a stored name they do not
 * know (failing the read, so that a decision that needs it is a deny) rather than guess.
 */
package dev.tollgate.api.store;
