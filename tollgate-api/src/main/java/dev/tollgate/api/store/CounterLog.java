package dev.tollgate.api.store;

import java.util.List;

/**
 * The log that rate counters are kept in when several servers share a store. Each counter stream is
 * a sequence of entries (an action counted, or an earlier one taken out again); every server reads
 * the entries it has not seen and keeps the measures in its own memory, so the store only orders
 * and keeps entries, and answers whether targets were acted on before. Values are keyed
 * fingerprints, never clear text.
 *
 * <p>INVARIANT: {@link #sync} holds each stream's lock from before it appends until the entries it
 * returns are read, and numbers a stream's entries in the order of that lock: an entry's {@code
 * seq} is larger than that of every entry of its stream appended before it, by any server, and
 * every such entry is visible to the call that appended it. So a server that applies a stream's
 * entries in {@code seq} order and measures at its own entry sees exactly what came before it, and
 * a limit holds to the unit across servers.
 */
public interface CounterLog {

  /**
   * One entry of a stream.
   *
   * @param seq the entry's place in its stream (ignored when appending)
   * @param id the counted action's event id, unique among the stream's events
   * @param at epoch milliseconds
   * @param micros the amount in millionths ({@code sum}), 0 otherwise
   * @param values the target fingerprints ({@code distinct}), empty otherwise
   * @param release whether this entry takes the event {@code id} out again
   */
  record Entry(long seq, long id, long at, long micros, long[] values, boolean release) {}

  /**
   * A stream to read, and maybe append to.
   *
   * @param after the last {@code seq} the caller holds (0: none)
   * @param since entries older than this (epoch ms) are past every window the caller measures: they
   *     need not be returned, and the store may drop them
   * @param add the entry to append, or {@code null}
   */
  record Sync(String stream, long after, long since, Entry add) {}

  /**
   * Whether some of {@code fingerprints} are targets {@code subject} did not act on at or after
   * {@code since}.
   */
  record Lookup(String subject, long[] fingerprints, long since) {}

  /** Targets a subject acted on. */
  record Seen(String subject, long[] fingerprints) {}

  /** An event appended to a stream, to take out again. */
  record Appended(String stream, long id) {}

  /**
   * What one {@link #sync} call found.
   *
   * @param entries per {@link Sync}, the stream's entries after {@code after} (and at or after
   *     {@code since}) in {@code seq} order, the appended one included
   * @param unseen per {@link Lookup}, in the order given
   */
  record Synced(List<List<Entry>> entries, boolean[] unseen) {}

  /** Appends, reads and answers, in one transaction. */
  Synced sync(List<Sync> syncs, List<Lookup> lookups, long now);

  /** Appends an entry that takes each event out again. */
  void release(List<Appended> events, long now);

  /** Remembers that each subject acted on its targets at {@code now}. */
  void remember(List<Seen> seen, long now);
}
