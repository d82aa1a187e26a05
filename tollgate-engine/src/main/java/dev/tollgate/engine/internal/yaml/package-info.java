/**
 * Internal: no compatibility promise; not for use outside tollgate-engine.
 *
 * <p>YAML: a strict reader (no anchors, no duplicate keys, positions kept for errors) and the typed
 * map reader with did-you-mean suggestions that the bundle loader and the scenario runner read
 * their files with.
 */
package dev.tollgate.engine.internal.yaml;
