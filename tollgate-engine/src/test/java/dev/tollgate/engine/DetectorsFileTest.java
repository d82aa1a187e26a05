package dev.tollgate.engine;

import static dev.tollgate.engine.Bundles.action;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.Decision;
import dev.tollgate.api.Effect;
import dev.tollgate.api.Finding;
import dev.tollgate.engine.internal.scan.Budget;
import dev.tollgate.engine.internal.scan.Detectors;
import dev.tollgate.engine.internal.scan.Hit;
import dev.tollgate.engine.internal.scan.ScanLimitException;
import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code detectors.yaml}: configured detectors reach the policies; exact data stays hashed. */
class DetectorsFileTest {
  static final String DETECTORS =
      """
      detectors:
        - name: employee-id
          label: personal
          description: Staff numbers
          regex: 'EMP-[0-9]{6}'
        - {name: codenames, label: confidential, keywords: [bluebird, night jar]}
        - {name: customer-ids, label: financial, exact: customers.txt}
        - {name: accounts, label: financial, exact: accounts.csv, column: account_no}
        - {name: invoice-number, label: financial, regex: 'R-[0-9]{8}'}
      disable: [phone]
      """;
  static final String CUSTOMERS = "# customers\nCUST-00123\n\nC-9981-77\n";
  static final String ACCOUNTS = "name,account_no\nGlobex,\"AC-4471-0099\"\nInitech,AC-4471-0100\n";
  static final String POLICIES =
      """
      policies:
        - name: no-confidential-out
          when: '"confidential" in data.labels'
          effect: deny
        - name: financial-asks
          when: '"financial" in data.labels'
          effect: ask
      """;

  static Bundle bundle() {
    return Bundles.of(
        "detectors.yaml",
        DETECTORS,
        "customers.txt",
        CUSTOMERS,
        "accounts.csv",
        ACCOUNTS,
        "p.yaml",
        POLICIES);
  }

  static List<Hit> scan(Bundle bundle, String text) {
    try {
      return bundle.compiled().detectors().scan(text, "/args", new Budget(100_000));
    } catch (ScanLimitException e) {
      throw new AssertionError(e);
    }
  }

  static List<String> names(Bundle bundle, String text) {
    return scan(bundle, text).stream().map(Hit::detector).toList();
  }

  @Test
  void configuredDetectorsRunBesideTheBuiltInOnes() {
    Bundle b = bundle();
    assertThat(b.compiled().detectors().names())
        .contains("employee-id", "codenames", "customer-ids", "accounts", "email")
        .doesNotContain("phone");
    assertThat(names(b, "badge EMP-004211 of jane@acme.example"))
        .containsExactly("employee-id", "email");
    assertThat(names(b, "Project Bluebird, also Night Jar"))
        .containsExactly("codenames", "codenames");
    assertThat(names(b, "customer cust 00123 and C-9981-77"))
        .containsExactly("customer-ids", "customer-ids");
    assertThat(names(b, "pay from ac-4471-0100, not from AC-4471-0101"))
        .containsExactly("accounts");
    assertThat(names(b, "call +1 415 555 0100")).isEmpty();
  }

  @Test
  void aPatternOfYourOwnReplacesTheBuiltInInvoiceNumbers() {
    Bundle b = bundle();
    assertThat(names(b, "invoice no. 4471")).isEmpty();
    assertThat(names(b, "ref R-20261124")).containsExactly("invoice-number");
  }

  @Test
  void policiesSeeTheLabelsOfConfiguredDetectors() {
    Tollgate t = Tollgate.builder().bundle(bundle()).build();
    Decision leak = t.decide("bot", action("email.send", Map.of("body", "status of bluebird")));
    assertThat(leak.effect()).isEqualTo(Effect.DENY);
    Decision customer = t.decide("bot", action("email.send", Map.of("body", "re CUST-00123")));
    assertThat(customer.effect()).isEqualTo(Effect.ASK);
    assertThat(customer.findings())
        .extracting(Finding::detector, Finding::excerpt)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("customer-ids", "••••23"));
  }

  @Test
  void exactDataIsKeptOnlyAsHashes() {
    Bundle b = bundle();
    Set<String> clear =
        Set.of("cust-00123", "cust00123", "c-9981-77", "c998177", "ac-4471-0099", "ac44710099");
    List<String> strings = strings(b.compiled().detectors());
    assertThat(strings).isNotEmpty();
    for (String s : strings) {
      String lower = s.toLowerCase(java.util.Locale.ROOT);
      assertThat(clear).noneMatch(lower::contains);
    }
  }

  @Test
  void aBundleDirectoryReadsItsDataFiles(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("detectors.yaml"), DETECTORS);
    Files.writeString(dir.resolve("customers.txt"), CUSTOMERS);
    Files.writeString(dir.resolve("accounts.csv"), ACCOUNTS);
    Files.writeString(dir.resolve("p.yaml"), POLICIES);
    Bundle b = Bundle.load(dir);
    assertThat(names(b, "CUST-00123")).containsExactly("customer-ids");
  }

  @Test
  void errorsNeverShowExactValues() {
    BundleException e =
        Bundles.refused(
            "detectors.yaml",
            "detectors:\n  - {name: ids, label: financial, exact: ids.txt}\n",
            "ids.txt",
            "SECRET-VALUE-1\nab\n");
    assertThat(e.render()).contains("ids.txt:2").doesNotContain("SECRET").doesNotContain("ab\n");
  }

  @Test
  void withoutDetectorsFileTheBuiltInsStand() {
    assertThat(Bundles.policies(POLICIES).compiled().detectors()).isSameAs(Detectors.builtIn());
  }

  /**
   * Every string reachable from {@code root} through fields of Tollgate's classes, arrays,
   * collections and maps (other library objects are leaves: a hash function holds only its keys).
   */
  static List<String> strings(Object root) {
    List<String> out = new java.util.ArrayList<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Object> todo = new ArrayDeque<>();
    todo.push(root);
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      if (o == null || !seen.add(o)) {
        continue;
      }
      switch (o) {
        case String s -> out.add(s);
        case Map<?, ?> m -> {
          todo.addAll(m.keySet().stream().filter(k -> k != null).toList());
          todo.addAll(m.values().stream().filter(v -> v != null).toList());
        }
        case Collection<?> c -> c.stream().filter(x -> x != null).forEach(todo::push);
        default -> {
          if (o.getClass().isArray()) {
            if (!o.getClass().getComponentType().isPrimitive()) {
              for (int i = 0; i < Array.getLength(o); i++) {
                if (Array.get(o, i) != null) {
                  todo.push(Array.get(o, i));
                }
              }
            }
          } else if (o.getClass().getName().startsWith("dev.tollgate.")) {
            for (Class<?> c = o.getClass();
                c != null && c.getName().startsWith("dev.tollgate.");
                c = c.getSuperclass()) {
              for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive()) {
                  continue;
                }
                try {
                  f.setAccessible(true);
                  Object v = f.get(o);
                  if (v != null) {
                    todo.push(v);
                  }
                } catch (ReflectiveOperationException | RuntimeException ex) {
                  throw new AssertionError("cannot read " + f, ex);
                }
              }
            }
          }
        }
      }
    }
    return out;
  }
}
