package dev.tollgate.engine.internal.bundle;

import java.util.Map;

/**
 * The optional manifest {@code bundle.yaml}, written last by a deploy (see {@code tollgate bundle
 * seal}): the snapshot's revision, the SHA-256 of every file it holds, and what an emptier bundle
 * means on purpose.
 *
 * @param revision a free label of the snapshot, or {@code null}
 * @param files the sha256 (hex) of every bundle file by name, or {@code null} when the manifest
 *     does not list them (then the directory is not checked against it)
 * @param noPolicies the bundle means to hold no policies
 * @param noAgents the bundle means to have no {@code agents.yaml} (so it denies every action)
 */
public record Manifest(
    String revision, Map<String, String> files, boolean noPolicies, boolean noAgents) {

  /** A bundle without {@code bundle.yaml}. */
  public static final Manifest NONE = new Manifest(null, null, false, false);

  public Manifest {
    files = files == null ? null : Map.copyOf(files);
  }
}
