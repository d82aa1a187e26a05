/**
 * The one JSON codec for Tollgate's API records, shared by the engine, the store, the server and
 * the client: {@link dev.tollgate.json.ApiJson} reads strictly and writes the wire form, {@link
 * dev.tollgate.json.ApiRecords} maps each contract record to and from JSON values, and {@link
 * dev.tollgate.json.AuditCanonical} is the audit chain's canonical encoding and hash. {@link
 * dev.tollgate.json.ClientText} quotes a client's text back in messages, bounded and printable.
 */
package dev.tollgate.json;
