package dev.tollgate.engine.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy test fixture written as people write YAML: {@code country: NO} is Norway, not false, and
 * reaches the policy's CEL facts as the string "NO" (YAML 1.1 made it a boolean).
 */
class Yaml12PolicyTestsTest {

  @Test
  void countryNoStaysAStringFromFixtureToCel(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("policies.yaml"),
        """
        policies:
          - name: no-transfers-to-norway
            match: {tools: ["bank.transfer"]}
            when: action.args.country == "NO" && action.args.confirm == "yes"
            effect: deny
        """);
    Files.writeString(
        dir.resolve("agents.yaml"),
        """
        agents:
          pay-bot: {tools: ["bank.*"]}
        """);
    Files.createDirectories(dir.resolve("tests"));
    Files.writeString(
        dir.resolve("tests/country_test.yaml"),
        """
        tests:
          - name: norway is denied
            agent: pay-bot
            action: {tool: bank.transfer, args: {country: NO, confirm: yes, amount: 0x1F}}
            expect: {effect: deny, policies: [no-transfers-to-norway]}
          - name: sweden is allowed
            agent: pay-bot
            action: {tool: bank.transfer, args: {country: SE, confirm: yes}}
            expect: allow
        """);
    PolicyTests.Report report = PolicyTests.run(dir);
    assertThat(report.outcomes()).hasSize(2);
    assertThat(report.passed()).as(report.render(true)).isTrue();
  }
}
