package dev.tollgate.engine.internal.memory;

import dev.tollgate.api.ApprovalStatus;
import dev.tollgate.api.store.ApprovalRecord;
import dev.tollgate.api.store.ApprovalStore;
import dev.tollgate.api.store.GrantRecord;
import dev.tollgate.api.store.GrantStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Approvals and grants in this process's memory: the engine's default when no shared store is
 * configured. One lock makes every change a compare-and-set, as the JDBC store's transactions do.
 */
public final class MemoryApprovalStore implements ApprovalStore {
  private final Map<String, ApprovalRecord> approvals = new LinkedHashMap<>();
  private final Map<String, GrantRecord> grants = new LinkedHashMap<>();

  @Override
  public synchronized void create(ApprovalRecord approval) {
    if (approvals.putIfAbsent(approval.id(), approval) != null) {
      throw new IllegalArgumentException("approval " + approval.id() + " exists");
    }
  }

  @Override
  public synchronized Optional<ApprovalRecord> get(String id) {
    return Optional.ofNullable(approvals.get(id));
  }

  @Override
  public synchronized Optional<ApprovalRecord> latestFor(
      String agent, String session, String tool, String argsDigest) {
    return approvals.values().stream()
        .filter(
            a ->
                a.agent().equals(agent)
                    && Objects.equals(a.session(), session)
                    && a.tool().equals(tool)
                    && Objects.equals(a.argsDigest(), argsDigest)
                    && a.kind() == ApprovalRecord.Kind.ACTION)
        .max(Comparator.comparing(ApprovalRecord::created).thenComparing(ApprovalRecord::id));
  }

  @Override
  public synchronized List<ApprovalRecord> list(ApprovalStatus status, Instant now, int limit) {
    List<ApprovalRecord> out = new ArrayList<>();
    for (ApprovalRecord a : approvals.values()) {
      if (status == null || a.status(now) == status) {
        out.add(a);
      }
    }
    out.sort(Comparator.comparing(ApprovalRecord::created).thenComparing(ApprovalRecord::id));
    return List.copyOf(out.reversed().subList(0, Math.min(Math.max(0, limit), out.size())));
  }

  @Override
  public synchronized boolean addApproval(
      String id,
      List<ApprovalRecord.Approval> seen,
      ApprovalRecord.Approval approval,
      GrantRecord grant,
      Instant now) {
    ApprovalRecord a = approvals.get(id);
    if (a == null
        || a.status(now) != ApprovalStatus.PENDING
        || a.approvals().size() != seen.size()) {
      return false;
    }
    ApprovalRecord approved = a.withApproval(approval);
    if (grant != null) {
      approved =
          approved.resolved(
              ApprovalStatus.APPROVED, approval.by(), now, approval.note(), grant.id());
      grants.put(grant.id(), grant);
    }
    approvals.put(id, approved);
    return true;
  }

  @Override
  public synchronized boolean deny(String id, String by, String note, Instant now) {
    ApprovalRecord a = approvals.get(id);
    if (a == null || a.status(now) != ApprovalStatus.PENDING) {
      return false;
    }
    approvals.put(id, a.resolved(ApprovalStatus.DENIED, by, now, note, null));
    return true;
  }

  @Override
  public synchronized List<String> expire(Instant now) {
    List<String> out = new ArrayList<>();
    for (ApprovalRecord a : List.copyOf(approvals.values())) {
      if (a.status() == ApprovalStatus.PENDING && a.status(now) == ApprovalStatus.EXPIRED) {
        approvals.put(a.id(), a.resolved(ApprovalStatus.EXPIRED, null, null, null, null));
        out.add(a.id());
      }
    }
    return out;
  }

  private final GrantStore grantStore = new Grants();

  @Override
  public GrantStore grants() {
    return grantStore;
  }

  private final class Grants implements GrantStore {
    @Override
    public void issue(GrantRecord grant) {
      synchronized (MemoryApprovalStore.this) {
        if (grants.putIfAbsent(grant.id(), grant) != null) {
          throw new IllegalArgumentException("grant " + grant.id() + " exists");
        }
      }
    }

    @Override
    public Optional<GrantRecord> get(String id) {
      synchronized (MemoryApprovalStore.this) {
        return Optional.ofNullable(grants.get(id));
      }
    }

    @Override
    public List<GrantRecord> candidates(String agent, String session, String user, Instant now) {
      synchronized (MemoryApprovalStore.this) {
        List<GrantRecord> out = new ArrayList<>();
        for (GrantRecord g : grants.values()) {
          if (g.agent().equals(agent) && g.live(now) && g.covers(agent, session, user)) {
            out.add(g);
          }
        }
        return out;
      }
    }

    @Override
    public boolean use(String id, Instant now) {
      synchronized (MemoryApprovalStore.this) {
        GrantRecord g = grants.get(id);
        if (g == null || !g.live(now)) {
          return false;
        }
        if (g.uses() > 0) {
          grants.put(id, withUses(g, g.usesLeft() - 1, g.revoked(), g.revokedBy()));
        }
        return true;
      }
    }

    @Override
    public boolean revoke(String id, String by, Instant now) {
      synchronized (MemoryApprovalStore.this) {
        GrantRecord g = grants.get(id);
        if (g == null || g.revoked() != null) {
          return false;
        }
        grants.put(id, withUses(g, g.usesLeft(), now, by));
        return true;
      }
    }

    @Override
    public List<GrantRecord> list(boolean activeOnly, Instant now, int limit) {
      synchronized (MemoryApprovalStore.this) {
        List<GrantRecord> out = new ArrayList<>();
        for (GrantRecord g : grants.values()) {
          if (!activeOnly || g.live(now)) {
            out.add(g);
          }
        }
        out.sort(Comparator.comparing(GrantRecord::created).thenComparing(GrantRecord::id));
        return List.copyOf(out.reversed().subList(0, Math.min(Math.max(0, limit), out.size())));
      }
    }
  }

  private static GrantRecord withUses(GrantRecord g, int usesLeft, Instant revoked, String by) {
    return new GrantRecord(
        g.id(),
        g.subjectKind(),
        g.subject(),
        g.agent(),
        g.tool(),
        g.argsDigest(),
        g.constraint(),
        g.expiresAt(),
        g.uses(),
        usesLeft,
        g.issuer(),
        g.reason(),
        g.approval(),
        g.created(),
        revoked,
        by);
  }
}
